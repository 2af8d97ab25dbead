// Session lifecycle on a socket: the handshake (handshake.ts) binds the socket to a session and enters
// or resumes it, the connection gets its state, a disconnect starts the grace period, and
// `session:leave` ends it at once.
import { announceJoined, announceLeft, confirmState, stateOf } from "./announce.js";
import { roomChannel, userChannel } from "./channels.js";
import type { AppSocket, RealtimeDeps } from "./deps.js";
import { followOne } from "./follow.js";
import { announceLeftCall } from "./group.js";
import type { Events } from "./handler.js";
import { takeHandshake } from "./handshake.js";
import { rateLimited } from "./limits.js";
import { endConnection } from "./ended.js";
import { hasLeft, markLeft } from "./lost.js";
import { announceClosed, resendChat } from "./private.js";
import { departReason, keepPlace, leavePlace, resumeHeld } from "./places.js";
import { catchUpCrowded } from "./crowded.js";

/** Runs once per connection, after the handshake: enter or resume, then send the initial state. */
export async function start(socket: AppSocket, deps: RealtimeDeps): Promise<void> {
  const { config, logger, io } = deps;
  const attached = takeHandshake(socket);
  if (!attached?.ok) {
    // A hold-off or a spent attach budget was refused at the handshake already.
    endConnection(socket, attached?.code === "too_many_connections" ? attached.code : "session_unknown");
    return;
  }
  const { session, view } = attached;
  socket.data.resumed = attached.resumed;
  const { name, nameKey, room, roomSeq, chosen } = session;
  socket.data.session = { name, nameKey, room, roomSeq: -1, status: chosen };
  // On the user channel before anything else is awaited: a room move by another tab meanwhile reaches
  // this socket too, and the roomSeq guard in followOne then keeps the newer room.
  await socket.join(userChannel(session.id));
  // Its address may have become crowded while the handshake ran (crowded.ts).
  catchUpCrowded(io, socket);
  // The holding page reconnecting, or a reload of its tab, takes its call place back (places.ts).
  const kept = await keepPlace(socket, deps, session);
  followOne(socket, room, roomSeq);
  // The room state below already holds this arrival: the joiner's own socket is not told again.
  if (attached.entered) announceJoined(deps, attached.entered, socket.id);
  if (attached.updated) io.to(roomChannel(room)).emit("room:member-updated", attached.updated);
  logger.info({ userId: session.id, room, resumed: attached.resumed, socketId: socket.id }, "connected");

  socket.emit("session:ready", {
    user: { id: session.id, name },
    room,
    status: chosen,
    resumed: attached.resumed,
    instanceId: config.instanceId,
    settings: {
      idleTimeoutMs: config.idleTimeoutMs,
      sessionGraceMs: config.sessionGraceMs,
      messageMaxLength: 2000,
      fileMaxBytes: config.fileMaxBytes,
    },
  });
  // A tab that resumes in the room it showed gets only the messages after its last one.
  const afterId = attached.resumed && socket.data.lastRoom === room ? socket.data.lastMessageId : undefined;
  const state = stateOf(room, roomSeq, view, afterId);
  socket.emit("room:state", state);
  confirmState(deps, socket, (fresh) => socket.emit("room:state", fresh), state, afterId);
  if (session.chatId) await resendChat(deps, socket, session.chatId);
  resumeHeld(socket, deps, kept);
}

/** Tries of a failed detach: about 10 minutes while Redis is away (each waits out ioredis's retries). */
const DETACH_ATTEMPTS = 40;

/** A disconnect starts the session's grace period (or, for its last tab, shows it unavailable). */
export function detachOnDisconnect(socket: AppSocket, deps: RealtimeDeps): void {
  const { store, logger, clock, io } = deps;
  socket.on("disconnect", async (reason) => {
    logger.info({ userId: socket.data.userId, socketId: socket.id, reason }, "disconnected");
    if (hasLeft(socket)) return; // its session ended with its connections (session:leave)
    const graceDeadline = clock() + deps.config.sessionGraceMs;
    // A call place this connection held stays for its own, shorter grace (a closed page's ends within
    // seconds): the session keeps the whole one, so a slow reload still finds it.
    await leavePlace(socket, deps, departReason(reason)).catch((error: unknown) =>
      logger.error({ err: error, userId: socket.data.userId }, "call place not marked away"),
    );
    // A detach that fails (Redis away longer than ioredis retries) is tried again until it lands:
    // otherwise the closed tab stays in the Store as a live connection, a ghost that never expires.
    const detach = (attempt: number): void => {
      store
        .detachConnection(socket.data.userId, deps.connectionId(socket), graceDeadline)
        .then(
          ({ changed }) => changed && io.to(roomChannel(changed.room)).emit("room:member-updated", changed),
        )
        .catch((error: unknown) => {
          logger.error({ err: error, userId: socket.data.userId, attempt }, "detach failed");
          // Bounded: past this the instance is surely taken over (or closed), which ends it anyway.
          if (attempt < DETACH_ATTEMPTS)
            setTimeout(() => detach(attempt + 1), Math.min(attempt, 5) * 1000).unref();
        });
    };
    detach(1);
  });
}

export function register(events: Events, deps: RealtimeDeps): void {
  const { store, config, logger, clock, io } = deps;
  const { points, seconds } = config.rateLimits["session-leave"];
  const budget = { points, windowMs: seconds * 1000 };

  // One Store step charges the leave and ends the session, the tabs' connections included.
  events.on("session:leave", async (socket) => {
    const userId = socket.data.userId;
    const left = await store.leaveSession(userId, budget, clock());
    if (!left.ok) {
      deps.limits.block("session:leave", userId, left.retryAfterMs);
      return rateLimited(left.retryAfterMs);
    }
    const { ended } = left;
    if (ended) markLeft(socket);
    // Their place among the address's TURN credential holders (ice.ts) stays taken until the credential
    // they were given expires: it still works for whoever holds it (coturn cannot revoke one).
    if (ended?.leftCall) await announceLeftCall(deps, ended.leftCall);
    if (ended?.left) announceLeft(deps, ended.left, "left");
    if (ended?.closedChat)
      announceClosed(deps, ended.closedChat, { id: ended.session.id, name: ended.session.name }, "left");
    logger.info({ userId }, "session ended by the user");
    // Close every tab of this session after the ack has gone out; only this instance's when it had them all.
    const here = `${deps.instanceKey}/`;
    const tabs = ended?.connections.every((connection) => connection.startsWith(here))
      ? io.local.in(userChannel(userId))
      : io.in(userChannel(userId));
    setImmediate(() => tabs.disconnectSockets(true));
    return { ok: true };
  });
}
