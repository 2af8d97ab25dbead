// Room chat: a message gets the room's next id and a server timestamp, is kept, then fanned out.
import { roomChannel } from "./channels.js";
import type { AppSocket, RealtimeDeps } from "./deps.js";
import { fail, on } from "./handler.js";

export function register(socket: AppSocket, deps: RealtimeDeps): void {
  const { io, store, clock } = deps;

  on(
    socket,
    deps,
    "room:message",
    async ({ text }) => {
      const session = await store.getSession(socket.data.userId);
      if (!session) return fail("session_unknown", "Your session has ended. Join again.");
      const message = await store.appendRoomMessage({
        room: session.room,
        from: { id: session.id, name: session.name },
        text: text.trim(),
        at: clock(),
      });
      io.to(roomChannel(session.room)).emit("room:message", message);
      return { ok: true, message };
    },
    "message_invalid",
  );

  // Typing costs no Store round trip: the socket knows its name and the room it follows.
  on(socket, deps, "room:typing", async ({ typing }) => {
    const known = socket.data.session;
    if (!known) return fail("session_unknown", "Your session has ended. Join again.");
    const user = { id: socket.data.userId, name: known.name };
    socket.to(roomChannel(known.room)).emit("room:typing", { room: known.room, user, typing });
    return { ok: true };
  });
}
