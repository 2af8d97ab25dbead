// Presence: a user's own status, told to everyone in their room as a versioned update.
import { roomChannel } from "./channels.js";
import type { AppSocket, RealtimeDeps } from "./deps.js";
import { fail, on } from "./handler.js";

export function register(socket: AppSocket, deps: RealtimeDeps): void {
  on(socket, deps, "presence:set", async ({ status }) => {
    const result = await deps.store.setStatus(socket.data.userId, status);
    if (!result) return fail("session_unknown", "Your session has ended. Join again.");
    if (socket.data.session) socket.data.session.status = status;
    if (result.changed)
      deps.io.to(roomChannel(result.changed.room)).emit("room:member-updated", result.changed);
    return { ok: true, status };
  });
}
