// Switching rooms: one Store step moves the user and reads the new room; both rooms are told, every tab gets its state.
import { announceJoined, announceLeft, confirmState, stateOf } from "./announce.js";
import { userChannel } from "./channels.js";
import type { AppSocket, RealtimeDeps } from "./deps.js";
import { followRoom } from "./follow.js";
import { announceLeftCall } from "./group.js";
import { fail, on } from "./handler.js";
import { announceClosed } from "./private.js";

export function register(socket: AppSocket, deps: RealtimeDeps): void {
  const { io, store, config } = deps;

  on(socket, deps, "room:join", async ({ room }) => {
    if (!config.rooms.includes(room)) return fail("unknown_room", `There is no room called ${room}.`);
    const move = await store.moveToRoom(socket.data.userId, room);
    if (!move) return fail("session_unknown", "Your session has ended. Join again.");
    const { session } = move;
    // The Store closed the mover's private chat (and its call) in the same step as the move.
    if (move.closedChat)
      announceClosed(deps, move.closedChat, { id: session.id, name: session.name }, "left_room");
    if (move.leftCall) announceLeftCall(deps, move.leftCall);
    if (move.left) announceLeft(deps, move.left, "moved", room);
    // Every connection of this user (any instance) follows the move, newest move winning.
    followRoom(deps, session);
    if (move.joined) announceJoined(deps, move.joined);
    // The Store read the room in the move's own step: no second round trip before the state.
    const tabs = io.to(userChannel(session.id));
    const state = stateOf(room, session.roomSeq, move.view);
    tabs.emit("room:state", state);
    confirmState(deps, socket, (fresh) => tabs.emit("room:state", fresh), state);
    return { ok: true, room };
  });
}

/**
 * Room counts cost in proportion to what changed: a membership change marks its room, and once per
 * window this instance reads the counts of the marked rooms only (O(1) each) and broadcasts just
 * those, with the version they were read at, so clients can order counts from several instances.
 */
export function occupancyAnnouncer(deps: Pick<RealtimeDeps, "io" | "store" | "logger">, windowMs = 100) {
  let timer: NodeJS.Timeout | undefined;
  let changed = new Set<string>();
  const flush = async () => {
    timer = undefined;
    const rooms = [...changed];
    changed = new Set();
    try {
      const counts = await deps.store.occupancy(rooms);
      deps.io.emit("rooms:occupancy", { rooms: rooms.map((name, i) => ({ name, ...counts[i]! })) });
    } catch (error) {
      deps.logger.error({ err: error }, "occupancy broadcast failed");
    }
  };
  return {
    announce: (room: string) => {
      changed.add(room);
      timer ??= setTimeout(() => void flush(), windowMs);
    },
    stop: () => clearTimeout(timer),
  };
}
