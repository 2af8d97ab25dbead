// Presence: the status a user picks by hand, shown in every tab of the session, and each tab's idle
// state, from which the Store derives automatic absence for the whole session.
import { roomChannel, userChannel } from "./channels.js";
import type { RealtimeDeps } from "./deps.js";
import { fail, type Events } from "./handler.js";
import { TEXTS } from "../error-texts.js";

const GONE = fail("session_unknown", TEXTS.session_unknown.ended);

export function register(events: Events, deps: RealtimeDeps): void {
  const { io, store } = deps;

  events.on("presence:set", async (socket, { status }) => {
    const me = socket.data.userId;
    const result = await store.setStatus(me, status);
    if (!result) return GONE;
    if (socket.data.session) socket.data.session.status = status;
    if (result.changed) io.to(roomChannel(result.changed.room)).emit("room:member-updated", result.changed);
    socket.to(userChannel(me)).emit("presence:chosen", { status });
    return { ok: true, status };
  });

  events.on("presence:idle", async (socket, { idle }) => {
    const me = socket.data.userId;
    const result = await store.setConnectionIdle(me, deps.connectionId(socket), idle);
    if (!result) return GONE;
    if (result.changed) io.to(roomChannel(result.changed.room)).emit("room:member-updated", result.changed);
    return { ok: true };
  });
}
