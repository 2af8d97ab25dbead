// Call media state (microphone muted, camera off, screen shared): told to everyone in the sender's
// current call, 1:1 or group, so their tiles show initials and a muted badge.
import { userChannel } from "./channels.js";
import type { RealtimeDeps } from "./deps.js";
import { fail, type Events } from "./handler.js";
import { partnerOf } from "./private.js";

export function register(events: Events, deps: RealtimeDeps): void {
  const { io, store } = deps;

  events.on("call:media", async (socket, media) => {
    const me = socket.data.userId;
    const session = await store.getSession(me);
    if (!session) return fail("session_unknown", "Your session has ended. Join again.");
    const user = { id: me, name: session.name };
    if (session.groupCallId) {
      const call = await store.groupCallOf(session.room);
      if (call?.id === session.groupCallId) {
        const others = call.participants.filter((p) => p.id !== me).map((p) => userChannel(p.id));
        if (others.length > 0) io.to(others).emit("call:media", { callId: call.id, user, ...media });
        return { ok: true };
      }
    }
    const chat = session.chatId ? await store.getPrivateChat(session.chatId) : null;
    if (!chat?.call) return fail("no_call", "You are not in a call.");
    io.to(userChannel(partnerOf(chat, me).id)).emit("call:media", { callId: chat.call.id, user, ...media });
    return { ok: true };
  });
}
