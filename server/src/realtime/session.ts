// Session lifecycle on a socket: the handshake binds the socket to a session, the connection enters
// or resumes it, a disconnect starts the grace period, and `session:leave` ends it at once.
import type { ExtendedError } from "socket.io";
import type { ErrorCode } from "../protocol.js";
import { handshakeAuth } from "../schemas.js";
import { tokenDigest } from "../state/tokens.js";
import { announceJoined, announceLeft, roomState } from "./announce.js";
import { roomChannel, userChannel } from "./channels.js";
import type { AppSocket, RealtimeDeps } from "./deps.js";
import { keepOrEndCall } from "./calls.js";
import { followOne } from "./follow.js";
import { announceLeftCall, keepOrLeaveCall } from "./group.js";
import type { Events } from "./handler.js";
import { endConnection } from "./lost.js";
import { closeChat, resendChat } from "./private.js";

function refused(code: ErrorCode, message: string, retryAfterMs?: number): ExtendedError {
  return Object.assign(new Error(code), {
    data: { code, message, ...(retryAfterMs ? { retryAfterMs } : {}) },
  });
}

/**
 * Handshake middleware: the only place a socket gets its identity, from the session token in `auth`.
 * A session held off after a flood, or connecting too often, is refused with `flooding` or
 * `rate_limited` and `retryAfterMs` in the error's data.
 */
export function authenticate(deps: Pick<RealtimeDeps, "store" | "logger" | "limits">) {
  return async (socket: AppSocket, next: (error?: ExtendedError) => void) => {
    const auth = handshakeAuth.safeParse(socket.handshake.auth);
    if (!auth.success) return next(refused("session_unknown", "No session: join with a display name first."));
    try {
      const userId = await deps.store.findSessionIdByToken(auth.data.token);
      if (!userId) return next(refused("session_unknown", "Your session has ended. Join again."));
      const held = await deps.limits.mayAttach(userId);
      if (held) {
        const seconds = Math.max(1, Math.ceil(held.waitMs / 1000));
        const why =
          held.code === "flooding" ? "This session sent far too many events." : "Too many reconnections.";
        return next(refused(held.code, `${why} Connecting again in ${seconds} s.`, held.waitMs));
      }
      socket.data = {
        userId,
        tokenDigest: tokenDigest(auth.data.token),
        resumed: false,
        lastMessageId: auth.data.lastMessageId,
        lastRoom: auth.data.lastRoom,
        page: auth.data.page ?? socket.id,
      };
      next();
    } catch (error) {
      deps.logger.error({ err: error }, "handshake failed");
      next(refused("internal", "The server cannot check your session right now."));
    }
  };
}

/** Runs once per connection, after the handshake: enter or resume, then send the initial state. */
export async function start(socket: AppSocket, deps: RealtimeDeps): Promise<void> {
  const { store, config, logger, io } = deps;
  const attached = await store.attachConnection(
    socket.data.userId,
    deps.connectionId(socket),
    config.maxConnectionsPerSession,
  );
  if (!attached.ok) {
    endConnection(socket, attached.code);
    return;
  }
  const { session } = attached;
  socket.data.resumed = attached.resumed;
  if (session.groupCallId) await keepOrLeaveCall(socket, deps);
  if (session.chatId) await keepOrEndCall(socket, deps);
  const { name, nameKey, room, roomSeq, chosen } = session;
  socket.data.session = { name, nameKey, room, roomSeq: -1, status: chosen };
  // The room's state is read while the user channel's subscription is made: one round trip, not two.
  const sameRoom = attached.resumed && socket.data.lastRoom === room;
  const state = roomState(deps, room, roomSeq, sameRoom ? socket.data.lastMessageId : undefined);
  state.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
  await socket.join(userChannel(session.id));
  followOne(socket, room, roomSeq);
  if (attached.entered) announceJoined(deps, attached.entered);
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
    },
  });
  socket.emit("room:state", await state);
  if (session.chatId) await resendChat(deps, socket, session.chatId);
}

/** Tries of a failed detach: about 10 minutes while Redis is away (each waits out ioredis's retries). */
const DETACH_ATTEMPTS = 40;

/** A disconnect starts the session's grace period (or, for its last tab, shows it unavailable). */
export function detachOnDisconnect(socket: AppSocket, deps: RealtimeDeps): void {
  const { store, config, logger, clock, io } = deps;
  socket.on("disconnect", (reason) => {
    logger.info({ userId: socket.data.userId, socketId: socket.id, reason }, "disconnected");
    const graceDeadline = clock() + config.sessionGraceMs;
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
  const { store, logger, io } = deps;

  events.on("session:leave", async (socket) => {
    const ended = await store.endSession(socket.data.userId);
    if (ended?.leftCall) announceLeftCall(deps, ended.leftCall);
    if (ended?.left) announceLeft(deps, ended.left, "left");
    if (ended?.session.chatId)
      await closeChat(deps, ended.session.chatId, { id: ended.session.id, name: ended.session.name }, "left");
    logger.info({ userId: socket.data.userId }, "session ended by the user");
    // Close every tab of this session after the ack has gone out.
    setImmediate(() => io.in(userChannel(socket.data.userId)).disconnectSockets(true));
    return { ok: true };
  });
}
