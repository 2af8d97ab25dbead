// Switching rooms: one event moves the user, tells both rooms, and sends the new room's state.
import { announceJoined, announceLeft, roomState } from "./announce.js";
import { roomChannel, userChannel } from "./channels.js";
import type { AppSocket, RealtimeDeps } from "./deps.js";
import { fail, on } from "./handler.js";
import { closeChat } from "./private.js";

export function register(socket: AppSocket, deps: RealtimeDeps): void {
  const { io, store, config } = deps;

  on(socket, deps, "room:join", async ({ room }) => {
    if (!config.rooms.includes(room)) return fail("unknown_room", `There is no room called ${room}.`);
    // A private chat is between members of one room: moving on closes it.
    const before = await store.getSession(socket.data.userId);
    if (before?.chatId && before.room !== room) {
      await closeChat(deps, before.chatId, { id: before.id, name: before.name }, "left_room");
    }
    const move = await store.moveToRoom(socket.data.userId, room);
    if (!move) return fail("session_unknown", "Your session has ended. Join again.");
    if (move.left) {
      // Every connection of this user (any instance) follows the move.
      const user = io.in(userChannel(socket.data.userId));
      user.socketsLeave(roomChannel(move.left.room));
      user.socketsJoin(roomChannel(room));
      announceLeft(deps, move.left, "moved", room);
    }
    await socket.join(roomChannel(room));
    if (move.joined) announceJoined(deps, move.joined);
    io.to(userChannel(socket.data.userId)).emit("room:state", await roomState(deps, room));
    return { ok: true, room };
  });
}

/** Coalesces occupancy broadcasts: a burst of joins costs one `rooms:occupancy` per window. */
export function occupancyAnnouncer(
  deps: Pick<RealtimeDeps, "io" | "store" | "config" | "logger">,
  windowMs = 50,
) {
  let timer: NodeJS.Timeout | undefined;
  const flush = async () => {
    timer = undefined;
    try {
      const counts = await deps.store.occupancy(deps.config.rooms);
      deps.io.emit("rooms:occupancy", {
        rooms: deps.config.rooms.map((name, i) => ({ name, count: counts[i] ?? 0 })),
      });
    } catch (error) {
      deps.logger.error({ err: error }, "occupancy broadcast failed");
    }
  };
  return {
    announce: () => {
      timer ??= setTimeout(() => void flush(), windowMs);
    },
    stop: () => clearTimeout(timer),
  };
}
