// Connected sockets learn that their session's client address became crowded (Session.crowded): the
// claim that crowded it names the address's other live sessions (the Store marked them too), and every
// instance marks its sockets of those sessions, so their next events spend the address's budgets
// (handler.ts, chat.ts). Nothing is read on the event path: the mark is the socket's own field.
import { userChannel } from "./channels.js";
import type { AppServer, AppSocket, RealtimeDeps } from "./deps.js";

/**
 * How long an instance remembers whom it marked, for tabs still in their handshake then: a tab reads its
 * session's mark from the Store before it joins its user channel, so a mark in between would miss it.
 */
const CATCH_UP_MS = 30_000;

/** Per server: user id -> when this instance last marked their sockets crowded (ms). */
const recentlyMarked = new WeakMap<AppServer, Map<string, number>>();

/** Marks this instance's sockets of `userIds` crowded. */
export function markCrowdedLocally(io: AppServer, userIds: readonly string[]): void {
  const now = Date.now();
  let recent = recentlyMarked.get(io);
  if (!recent) recentlyMarked.set(io, (recent = new Map()));
  for (const [userId, at] of recent) if (now - at > CATCH_UP_MS) recent.delete(userId);
  for (const userId of userIds) {
    recent.set(userId, now);
    for (const id of io.of("/").adapter.rooms.get(userChannel(userId)) ?? []) {
      const socket = io.of("/").sockets.get(id);
      if (socket) socket.data.crowded = true;
    }
  }
}

/** Marks the sockets of `userIds` crowded on every instance (one serverSideEmit, no Store command). */
export function markCrowded(deps: Pick<RealtimeDeps, "io" | "store">, userIds: readonly string[]): void {
  markCrowdedLocally(deps.io, userIds);
  // The in-memory adapter has no other instance to tell (and warns on serverSideEmit).
  if (deps.store.kind === "redis") deps.io.serverSideEmit("sessions:crowded", { userIds: [...userIds] });
}

/** Applies marks announced by other instances to this instance's sockets. */
export function listenForCrowded(io: AppServer): void {
  io.on("sessions:crowded", ({ userIds }) => markCrowdedLocally(io, userIds));
}

/**
 * A tab that has just joined its user channel: crowded too when its session was marked while its
 * handshake ran (after its Store read, before it could be found in the channel).
 */
export function catchUpCrowded(io: AppServer, socket: AppSocket): void {
  const at = recentlyMarked.get(io)?.get(socket.data.userId);
  if (at !== undefined && Date.now() - at <= CATCH_UP_MS) socket.data.crowded = true;
}
