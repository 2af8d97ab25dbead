// A participant's place in a call (1:1 or group) outlives the page holding it for a grace: a reload or
// a lost connection keeps the call, the others see "reconnecting", and the place ends only when the
// grace runs out (with the reason: left, or connection lost). The grace deadline is data in the Store,
// fired once by any instance's reaper; `deadlineAt` is only a shortcut to the same sweep.
import type { DepartReason } from "@videochat/protocol";
import type { CallPresence, DepartedCall } from "../state/store.js";
import { userChannel } from "./channels.js";
import type { AppSocket, RealtimeDeps } from "./deps.js";
import { markAway, tellOthers } from "./away.js";
import { announceLeftCall } from "./group.js";

/**
 * Socket.IO's disconnect reasons for a transport the client ended itself: the page called disconnect(),
 * or the browser closed the connection (a closed tab, a page unloading, a reload). A "transport error"
 * is one too: Engine.IO reports it when the browser aborts a pending long-polling request ("poll
 * connection closed prematurely") and when the server writes to a WebSocket the browser has just
 * closed ("write after end"), which a page in a call, with events flowing, often meets: treating it as a
 * lost network kept a closed tab on the others' stage for the whole 30 s grace (issue 17). A lost
 * network shows as "ping timeout" (the connection silently gone), and keeps the whole grace; so does a
 * server going away ("server shutting down"), whose pages reconnect to another instance.
 */
const CLOSED_BY_CLIENT: ReadonlySet<string> = new Set([
  "client namespace disconnect",
  "transport close",
  "transport error",
]);

/** Why a closing connection's place would end: its page closed, or its connection was lost. */
export function departReason(reason: string): DepartReason {
  return CLOSED_BY_CLIENT.has(reason) ? "left" : "lost";
}

/** What the user's place in a call is (the group call first: a session is in one conversation at a time). */
const placeKinds = (session: { groupCallId?: string; chatId?: string }) => ({
  group: Boolean(session.groupCallId),
  private: !session.groupCallId && Boolean(session.chatId),
});

/**
 * A tab attached while its user is in a call: the holding page (a reconnect) or a new page of the
 * holding tab (a reload) takes the place back. Resolves with the place, which `resumeHeld` hands back
 * to the page and announces to the others once the page has its room and chat.
 */
export async function keepPlace(
  socket: AppSocket,
  deps: Pick<RealtimeDeps, "store" | "connectionId">,
  session: { groupCallId?: string; chatId?: string },
): Promise<CallPresence | null> {
  const holder = { page: socket.data.page, connection: deps.connectionId(socket) };
  const kinds = placeKinds(session);
  if (kinds.group) return deps.store.keepGroupCall(socket.data.userId, holder);
  if (kinds.private) return deps.store.keepCall(socket.data.userId, holder);
  return null;
}

/**
 * After the room state and chat went out: a reloaded page is told to resume the call it still holds
 * (`call:held`), and only then are the others told the place is back. The order matters: a rejoined
 * place makes the others start a new connection to the new page at once, and their first offer must
 * reach a page that already knows its call (one that arrived before `call:held` was dropped, and the
 * pair then waited for each other's offer for good).
 */
export function resumeHeld(
  socket: AppSocket,
  deps: Pick<RealtimeDeps, "io">,
  kept: CallPresence | null,
): void {
  // Gone again meanwhile: its disconnect marks the place away, and a late "back" would undo that.
  if (!kept || !socket.connected) return;
  if (kept.rejoined) socket.emit("call:held", { callId: kept.callId, kind: kept.kind });
  tellOthers(deps, kept, "back");
}

/**
 * A new page of tab `tab` is loading (POST /api/session/reloading): the user's call place, away since
 * a page of that tab closed, is kept for the call grace (it then ends as "lost"), not the closed-tab
 * one. The others already show "reconnecting" since it went away. True when a place was kept.
 */
export async function holdForReload(
  deps: Pick<RealtimeDeps, "store" | "config" | "clock"> & { deadlineAt?: (at: number) => void },
  userId: string,
  tab: string,
): Promise<boolean> {
  const session = await deps.store.getSession(userId);
  const kinds = session && placeKinds(session);
  if (!kinds || (!kinds.group && !kinds.private)) return false;
  // Not past the session's own grace: the session would end first, and the call with it.
  const deadline = deps.clock() + Math.min(deps.config.callGraceMs, deps.config.sessionGraceMs);
  const kept = kinds.group
    ? await deps.store.reloadingGroupCall(userId, tab, deadline)
    : await deps.store.reloadingCall(userId, tab, deadline);
  if (kept) deps.deadlineAt?.(deadline);
  return kept;
}

/** The socket closed: if it held its user's place in a call, the place is away for the grace (away.ts). */
export async function leavePlace(
  socket: AppSocket,
  deps: Parameters<typeof markAway>[0] & Pick<RealtimeDeps, "connectionId">,
  why: DepartReason,
): Promise<void> {
  const session = await deps.store.getSession(socket.data.userId);
  const kinds = session && placeKinds(session);
  if (!session || !kinds || (!kinds.group && !kinds.private)) return;
  await markAway(deps, kinds.group ? "group" : "private", session.id, deps.connectionId(socket), why);
}

type DepartDeps = Pick<RealtimeDeps, "io" | "store" | "clock" | "logger" | "sfu" | "roomPosted">;

/** Tells both sides of a place whose grace ran out: the group's room, or both partners of a 1:1 call. */
async function announceDeparted(deps: DepartDeps, departed: DepartedCall): Promise<void> {
  const { user, reason } = departed;
  if (departed.kind === "group") return announceLeftCall(deps, departed.left, { user, reason });
  const { chat, callId } = departed;
  deps.io
    .to([userChannel(chat.a.id), userChannel(chat.b.id)])
    .emit("call:ended", { callId, reason, by: user });
}

/** Ends every place whose grace ran out (each exactly once, cluster-wide) and tells both sides. */
export async function fireDepartedPlaces(deps: DepartDeps): Promise<void> {
  const now = deps.clock();
  for (const take of [
    (limit: number) => deps.store.takeDepartedParticipants(now, limit),
    (limit: number) => deps.store.takeDepartedCalls(now, limit),
  ]) {
    for (;;) {
      const departed = await take(100);
      for (const one of departed) await announceDeparted(deps, one);
      if (departed.length < 100) break;
    }
  }
}
