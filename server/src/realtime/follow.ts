// Socket.IO room subscriptions follow the Store's answer. Each room move carries the session's
// `roomSeq`; a socket only ever moves to a newer one, so handlers that finish out of order (two
// tabs on two instances moving at once) cannot leave a socket in a room the Store says it left.
import type { Session } from "../state/store.js";
import { roomChannel, userChannel } from "./channels.js";
import type { AppServer, AppSocket, RealtimeDeps } from "./deps.js";

const ROOM_PREFIX = roomChannel("");

/** Moves one socket's room subscription to `room` unless it already follows move `roomSeq` or a later one. */
export function followOne(socket: AppSocket, room: string, roomSeq: number): void {
  const known = socket.data.session;
  if (known && known.roomSeq > roomSeq) return;
  for (const channel of socket.rooms) {
    if (channel.startsWith(ROOM_PREFIX) && channel !== roomChannel(room)) void socket.leave(channel);
  }
  void socket.join(roomChannel(room));
  if (known) Object.assign(known, { room, roomSeq });
}

/** Every socket of `userId` on this instance follows the move. */
export function followLocally(io: AppServer, userId: string, room: string, roomSeq: number): void {
  const ids = io.of("/").adapter.rooms.get(userChannel(userId));
  for (const id of ids ?? []) {
    const socket = io.of("/").sockets.get(id);
    if (socket) followOne(socket, room, roomSeq);
  }
}

/** Every socket of the session's user, on every instance, follows its current room. */
export function followRoom(deps: Pick<RealtimeDeps, "io" | "store">, session: Session): void {
  followLocally(deps.io, session.id, session.room, session.roomSeq);
  // The in-memory adapter has no other instance to tell (and warns on serverSideEmit).
  if (deps.store.kind === "redis")
    deps.io.serverSideEmit("user:room", { userId: session.id, room: session.room, roomSeq: session.roomSeq });
}

/** Applies moves announced by other instances to this instance's sockets. */
export function listenForMoves(io: AppServer): void {
  io.on("user:room", ({ userId, room, roomSeq }) => followLocally(io, userId, room, roomSeq));
}
