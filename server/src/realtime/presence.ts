// Presence: the status a user picks by hand, shown in every tab of the session, and each tab's idle
// state, from which the Store derives automatic absence for the whole session.
import { roomChannel, userChannel } from "./channels.js";
import type { RealtimeDeps } from "./deps.js";
import { fail } from "./acks.js";
import type { Events } from "./handler.js";
import { rateLimited } from "./limits.js";
import { TEXTS } from "../error-texts.js";
import type { PresenceResult } from "../state/types.js";
import type { AppSocket } from "./sockets.js";

const GONE = fail("session_unknown", TEXTS.session_unknown.ended);

export function register(events: Events, deps: RealtimeDeps): void {
  const { io, store, config, clock } = deps;
  const { points, seconds } = config.rateLimits.presence;
  // Both events charge the family's budget inside their one Store step (FEATURE_CHARGED).
  const charge = () => ({ points, windowMs: seconds * 1000, now: clock() });
  /** The refusal of a spent budget (remembered here, so a flood stops at the edge), or null. */
  const refused = (event: "presence:set" | "presence:idle", me: string, result: PresenceResult) => {
    if (result.retryAfterMs === undefined) return null;
    deps.limits.block(event, me, result.retryAfterMs);
    return rateLimited(result.retryAfterMs);
  };
  /**
   * Tabs whose idleness the Store may hold other than "active": idle ones, and those whose last
   * presence:idle step failed (its outcome unknown). A tab attaches active, so one absent here is known
   * active, and its choice of online skips the Store's read of the other tabs (setStatus's activeTab).
   */
  const notActive = new WeakSet<AppSocket>();

  events.on("presence:set", async (socket, { status }) => {
    const me = socket.data.userId;
    const result = await store.setStatus(me, status, charge(), !notActive.has(socket));
    if (!result) return GONE;
    const refusal = refused("presence:set", me, result);
    if (refusal) return refusal;
    if (socket.data.session) socket.data.session.status = status;
    // The user's other tabs are in the room too: they read the choice from the room's update.
    if (result.changed)
      io.to(roomChannel(result.changed.room)).emit("room:member-updated", {
        ...result.changed,
        chosen: status,
      });
    else socket.to(userChannel(me)).emit("presence:chosen", { status });
    return { ok: true, status };
  });

  events.on("presence:idle", async (socket, { idle }) => {
    const me = socket.data.userId;
    const wasActive = !notActive.has(socket);
    notActive.add(socket); // until the step's outcome is known
    const result = await store.setConnectionIdle(me, deps.connectionId(socket), idle, charge());
    if (!result) return GONE;
    const refusal = refused("presence:idle", me, result);
    if (refusal) {
      if (wasActive) notActive.delete(socket); // refused: nothing changed
      return refusal;
    }
    if (!idle) notActive.delete(socket);
    if (result.changed) io.to(roomChannel(result.changed.room)).emit("room:member-updated", result.changed);
    return { ok: true };
  });
}
