// Group calls in a room: a full mesh of peer connections, capped at GROUP_CALL_MAX. The server keeps
// who is in the call (in the Store), rings invitees with a deadline, and relays signalling only
// between two participants of the same call, checked on every signal; it never reads SDP.
import { randomUUID } from "node:crypto";
import type { ChatMessage, ErrorCode, GroupState, UserRef } from "@videochat/protocol";
import type { EndedInvite, LeftGroupCall } from "../state/store.js";
import type { MembershipChange } from "../state/store.js";
import { roomChannel, userChannel } from "./channels.js";
import type { AppSocket, RealtimeDeps } from "./deps.js";
import { fail } from "./acks.js";
import { markAway } from "./away.js";
import type { Events } from "./handler.js";
import { ringLimited } from "./limits.js";
import { TEXTS } from "../error-texts.js";
import { refuseIfUnavailable, tellBusy } from "./reach.js";

type Deps = Pick<RealtimeDeps, "io"> & Partial<Pick<RealtimeDeps, "sfu">>;
/** What keeping a call line in the room's history takes (and telling the room of it). */
type LineDeps = Deps &
  Pick<RealtimeDeps, "store" | "clock" | "logger"> &
  Partial<Pick<RealtimeDeps, "roomPosted">>;

/** The `from` of an "ended" line: nobody in particular (see ChatMessage.call). */
const NOBODY: UserRef = { id: "", name: "" };

/**
 * Keeps "<name> started a group call" / "The group call ended" as a line of the room's history, so
 * that members on every instance and later joiners see it, and tells the room. The call has already
 * changed (and been announced): a line that cannot be kept is logged, not thrown at the caller.
 */
async function keepGroupCallLine(
  deps: LineDeps,
  room: string,
  from: UserRef,
  call: NonNullable<ChatMessage["call"]>,
): Promise<void> {
  try {
    const text = call === "started" ? "Group call started" : "Group call ended";
    const line = await deps.store.appendRoomMessage({ room, from, text, at: deps.clock(), call });
    deps.io.to(roomChannel(room)).emit("room:message", line);
    deps.roomPosted?.(room, line.id);
  } catch (error) {
    deps.logger.warn({ err: error, room, call }, "group call line not kept");
  }
}

const WHY: Partial<Record<ErrorCode, string>> = {
  session_unknown: TEXTS.session_unknown.ended,
  not_in_room: TEXTS.not_in_room,
  already_in_chat: TEXTS.already_in_chat.group,
  call_exists: TEXTS.call_exists.group,
  no_call: TEXTS.no_call.ended,
  partner_unavailable: TEXTS.partner_unavailable,
};

function refusal(code: ErrorCode, max?: number) {
  if (code === "call_full") return fail("call_full", TEXTS.call_full(max));
  return fail(code, WHY[code] ?? TEXTS.internal.other);
}

function tellRoom(deps: Deps, changes: MembershipChange[]): void {
  for (const change of changes) deps.io.to(roomChannel(change.room)).emit("room:member-updated", change);
}

/**
 * Tells the room that someone left its group call (or that the call ended with them, which the room's
 * history then keeps as a line); `departed`: who was taken out when their grace ran out, and why.
 */
export async function announceLeftCall(
  deps: LineDeps,
  left: LeftGroupCall,
  departed?: GroupState["departed"],
): Promise<void> {
  tellRoom(deps, left.changes);
  const state = left.call ? { call: left.call } : { call: null, endedCallId: left.callId };
  deps.io
    .to(roomChannel(left.room))
    .emit("group:state", { room: left.room, ...state, ...(departed ? { departed } : {}) });
  // Out of the VideoRoom at once, whichever instance holds the leaver's handles.
  void deps.sfu?.prune(left.callId, left.call?.participants.map((p) => p.id) ?? null).catch(() => undefined);
  if (!left.call) await keepGroupCallLine(deps, left.room, NOBODY, "ended");
}

/** Tells the inviter, and the invitee's other tabs, that an invitation ended unanswered or declined. */
function announceEndedInvite(deps: Deps, ended: EndedInvite, reason: "declined" | "missed"): void {
  deps.io
    .to([userChannel(ended.inviterId), userChannel(ended.invitee.id)])
    .emit("group:declined", { callId: ended.callId, by: ended.invitee, reason });
}

/** Ends every invitation past its deadline (each exactly once, cluster-wide) and tells both sides. */
export async function fireMissedInvites(deps: Pick<RealtimeDeps, "io" | "store" | "clock" | "logger">) {
  try {
    for (;;) {
      const missed = await deps.store.takeMissedInvites(deps.clock(), 100);
      for (const ended of missed) announceEndedInvite(deps, ended, "missed");
      if (missed.length < 100) return;
    }
  } catch (error) {
    deps.logger.error({ err: error }, "missed-invite sweep failed");
  }
}

export function register(events: Events, deps: RealtimeDeps): void {
  const { io, store, config, clock } = deps;
  const max = config.groupCallMax;
  /** This tab holds the place it takes in a call: a reload (a new page) cannot bring the media back. */
  const holder = (socket: AppSocket) => ({ page: socket.data.page, connection: deps.connectionId(socket) });
  /**
   * A tab closed right after joining: its disconnect may have run before the join was in the Store and
   * found no place to mark away. The place it has just taken is away from the start.
   */
  const awayIfClosed = async (socket: AppSocket) => {
    if (!socket.connected)
      await markAway(deps, "group", socket.data.userId, deps.connectionId(socket), "left");
  };

  events.on("group:start", async (socket) => {
    const me = socket.data.userId;
    const started = await store.startGroupCall(me, randomUUID(), max, holder(socket));
    if (!started.ok) return refusal(started.code);
    await awayIfClosed(socket);
    tellRoom(deps, started.changes);
    io.to(roomChannel(started.call.room)).emit("group:state", {
      room: started.call.room,
      call: started.call,
    });
    const starter = started.call.participants[0];
    if (starter) await keepGroupCallLine(deps, started.call.room, starter, "started");
    return { ok: true, call: started.call };
  });

  events.on("group:join", async (socket, { callId }) => {
    const me = socket.data.userId;
    const joined = await store.joinGroupCall(me, callId, holder(socket));
    if (!joined.ok) return refusal(joined.code, max);
    await awayIfClosed(socket);
    tellRoom(deps, joined.changes);
    io.to(roomChannel(joined.call.room)).emit("group:state", { room: joined.call.room, call: joined.call });
    return { ok: true, call: joined.call };
  });

  events.on("group:leave", async (socket) => {
    const me = socket.data.userId;
    const left = await store.leaveGroupCall(me);
    if (!left) return refusal("no_call");
    await announceLeftCall(deps, left);
    return { ok: true };
  });

  events.on("group:invite", async (socket, { with: inviteeId }) => {
    const me = socket.data.userId;
    // Someone in no call invites nobody: checkReach keeps no notice then, inviteToGroupCall says no_call.
    const refused = await refuseIfUnavailable(deps, me, inviteeId, "group");
    if (refused) return refused;
    const ringWait = await deps.limits.chargeRing(inviteeId, socket.data.address);
    if (ringWait !== null) {
      const invitee = await deps.store.getSession(inviteeId);
      return ringLimited(invitee?.name ?? "They", ringWait);
    }
    const invited = await store.inviteToGroupCall(me, inviteeId, clock() + config.callRingTimeoutMs);
    if (!invited.ok) {
      if (invited.code === "partner_busy") {
        await tellBusy(deps, me, inviteeId, "group");
        return fail("partner_busy", TEXTS.partner_busy(invited.partnerName));
      }
      return refusal(invited.code);
    }
    io.to(userChannel(inviteeId)).emit("group:invited", { call: invited.call, from: invited.inviter });
    // The deadline is data in the Store, fired by every reaper; this timer only checks a little sooner.
    setTimeout(() => void fireMissedInvites(deps), config.callRingTimeoutMs + 1).unref();
    return { ok: true };
  });

  events.on("group:decline", async (socket, { callId }) => {
    const me = socket.data.userId;
    const ended = await store.declineGroupInvite(me, callId);
    if (!ended) return refusal("no_call");
    announceEndedInvite(deps, ended, "declined");
    return { ok: true };
  });

  events.on("group:signal", async (socket, signal) => {
    const me = socket.data.userId;
    if (!(await store.groupCallPeers(me, signal.callId, signal.peer))) return refusal("no_call");
    io.to(userChannel(signal.peer)).emit("group:signal", { ...signal, peer: me });
    return { ok: true };
  });
}
