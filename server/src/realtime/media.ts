// Call media state (microphone muted, camera off, screen shared): told to everyone in the sender's
// current call, 1:1 or group, so their tiles show initials and a muted badge.
import { userChannel } from "./channels.js";
import type { RealtimeDeps } from "./deps.js";
import { fail, type Events } from "./handler.js";
import { partnerOf } from "./private.js";
import { TEXTS } from "../error-texts.js";

export function register(events: Events, deps: RealtimeDeps): void {
  const { io, store } = deps;

  events.on("call:media", async (socket, media) => {
    const me = socket.data.userId;
    const state = { audio: media.audio, video: media.video, screen: media.screen };
    // A group call keeps it for whoever joins later; a 1:1 call's partner is there from the start.
    const told = await store.setGroupCallMedia(me, state);
    if (told) {
      const user = { id: me, name: socket.data.session?.name ?? "" };
      const others = told.others.map(userChannel);
      if (others.length > 0) io.to(others).emit("call:media", { callId: told.callId, user, ...state });
      return { ok: true };
    }
    const session = await store.getSession(me);
    if (!session) return fail("session_unknown", TEXTS.session_unknown.ended);
    const chat = session.chatId ? await store.getPrivateChat(session.chatId) : null;
    if (!chat?.call) return fail("no_call", TEXTS.no_call.none);
    const user = { id: me, name: session.name };
    io.to(userChannel(partnerOf(chat, me).id)).emit("call:media", { callId: chat.call.id, user, ...state });
    return { ok: true };
  });
}
