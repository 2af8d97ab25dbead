// Group calls in a room: a full mesh of peer connections, capped at GROUP_CALL_MAX. The server keeps
// who is in the call (in the Store), rings invitees with a deadline, and relays signalling only
// between two participants of the same call, checked on every signal; it never reads SDP.
import { randomUUID } from "node:crypto";
import type { ErrorCode } from "../protocol.js";
import type { EndedInvite, LeftGroupCall } from "../state/store.js";
import type { MembershipChange } from "../state/store.js";
import { roomChannel, userChannel } from "./channels.js";
import type { AppSocket, RealtimeDeps } from "./deps.js";
import { fail, type Events } from "./handler.js";
import { TEXTS } from "../error-texts.js";

type Deps = Pick<RealtimeDeps, "io">;

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

/** Tells the room that someone left its group call (or that the call ended with them). */
export function announceLeftCall(deps: Deps, left: LeftGroupCall): void {
  tellRoom(deps, left.changes);
  const state = left.call ? { call: left.call } : { call: null, endedCallId: left.callId };
  deps.io.to(roomChannel(left.room)).emit("group:state", { room: left.room, ...state });
}

/**
 * A tab attached while its user is in a group call: a reconnect of the holding page keeps the place,
 * a new page load whose predecessor is gone (a reload) takes the user out, and the others' stage updates.
 */
export async function keepOrLeaveCall(
  socket: AppSocket,
  deps: Pick<RealtimeDeps, "io" | "store" | "connectionId">,
) {
  const holder = { page: socket.data.page, connection: deps.connectionId(socket) };
  const left = await deps.store.keepGroupCall(socket.data.userId, holder);
  if (left) announceLeftCall(deps, left);
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

  events.on("group:start", async (socket) => {
    const me = socket.data.userId;
    const started = await store.startGroupCall(me, randomUUID(), max, holder(socket));
    if (!started.ok) return refusal(started.code);
    tellRoom(deps, started.changes);
    io.to(roomChannel(started.call.room)).emit("group:state", {
      room: started.call.room,
      call: started.call,
    });
    return { ok: true, call: started.call };
  });

  events.on("group:join", async (socket, { callId }) => {
    const me = socket.data.userId;
    const joined = await store.joinGroupCall(me, callId, holder(socket));
    if (!joined.ok) return refusal(joined.code, max);
    tellRoom(deps, joined.changes);
    io.to(roomChannel(joined.call.room)).emit("group:state", { room: joined.call.room, call: joined.call });
    return { ok: true, call: joined.call };
  });

  events.on("group:leave", async (socket) => {
    const me = socket.data.userId;
    const left = await store.leaveGroupCall(me);
    if (!left) return refusal("no_call");
    announceLeftCall(deps, left);
    return { ok: true };
  });

  events.on("group:invite", async (socket, { with: inviteeId }) => {
    const me = socket.data.userId;
    const invited = await store.inviteToGroupCall(me, inviteeId, clock() + config.callRingTimeoutMs);
    if (!invited.ok) {
      if (invited.code === "partner_busy")
        return fail("partner_busy", TEXTS.partner_busy(invited.partnerName));
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
