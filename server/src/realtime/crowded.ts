// Connected sockets learn that their session's client address became crowded (Session.crowded): the
// claim that crowded it names the address's other live sessions (the Store marked them too), and every
// instance marks its sockets of those sessions, so their next events spend the address's budgets
// (handler.ts, chat.ts). Nothing is read on the event path: the mark is the socket's own field.
import { userChannel } from "./channels.js";
import type { AppServer, RealtimeDeps } from "./deps.js";

/** Marks this instance's sockets of `userIds` crowded. */
export function markCrowdedLocally(io: AppServer, userIds: readonly string[]): void {
  for (const userId of userIds) {
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
