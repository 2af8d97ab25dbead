// The Socket.IO handshake: the only place a socket gets its identity, from the session token in
// `auth`. In the same Store step (Store.connect) the connection is attached and its room read; what
// the step did waits here for `start` (session.ts) once the socket is connected.
import type { IncomingMessage } from "node:http";
import type { ExtendedError } from "socket.io";
import type { Config } from "../config.js";
import { addressKey, clientAddress, compileTrust, type TrustProxy } from "../http/proxy.js";
import type { ErrorCode } from "@videochat/protocol";
import { handshakeAuth } from "@videochat/protocol/schemas";
import type { ConnectResult } from "../state/store.js";
import { tokenDigest } from "../state/tokens.js";
import type { AppSocket, RealtimeDeps } from "./deps.js";
import { TEXTS, waitSeconds } from "../error-texts.js";

type Deps = Pick<RealtimeDeps, "store" | "logger" | "config" | "clock" | "connectionId">;

/** A handshake's Store step, and the detach that stands in until its socket connects. */
const handshakes = new WeakMap<AppSocket, { connected: ConnectResult; onClose?: () => void }>();
/** Handshakes and their stand-in detaches still running: an instance that stops waits for them. */
const inFlight = new Set<Promise<unknown>>();

function track(step: Promise<unknown>): void {
  inFlight.add(step);
  void step.finally(() => inFlight.delete(step));
}

function refused(code: ErrorCode, message: string, retryAfterMs?: number): ExtendedError {
  return Object.assign(new Error(code), {
    data: { code, message, ...(retryAfterMs ? { retryAfterMs } : {}) },
  });
}

/** The tab id the SPA sends in the query (`tab`, for nginx's stickiness), bounded; "" without one. */
function tabOf(socket: AppSocket): string {
  const tab = socket.handshake.query.tab;
  return typeof tab === "string" ? tab.slice(0, 64).replaceAll("/", "") : "";
}

/** TRUST_PROXY compiled once per config. */
const trusts = new WeakMap<Config, TrustProxy>();

/**
 * The client address a connection is charged to (per-address budgets: room and private messages,
 * TURN credentials, the flood cut), read once from its handshake: X-Forwarded-For counts only through
 * TRUST_PROXY, and an IPv6 client is counted by its /64 (addressKey), as the claims limit counts it,
 * or one host could spread its traffic over 2^64 addresses.
 */
export function handshakeAddress(socket: Pick<AppSocket, "handshake">, config: Config): string {
  let trust = trusts.get(config);
  if (!trust) trusts.set(config, (trust = compileTrust(config.trustProxy)));
  const { address, headers } = socket.handshake;
  return addressKey(
    clientAddress({ headers, socket: { remoteAddress: address } } as unknown as IncomingMessage, trust),
  );
}

/**
 * Handshake middleware (io.use). A refused handshake reaches the client as `connect_error`; a session
 * held off after a flood, or connecting too often, is refused with `flooding` or `rate_limited` and
 * `retryAfterMs` in the error's data.
 */
export function authenticate(deps: Deps) {
  return (socket: AppSocket, next: (error?: ExtendedError) => void) =>
    track(handshake(socket, deps).then((error) => next(error)));
}

async function handshake(socket: AppSocket, deps: Deps): Promise<ExtendedError | undefined> {
  const auth = handshakeAuth.safeParse(socket.handshake.auth);
  if (!auth.success) return refused("session_unknown", TEXTS.session_unknown.none);
  const { store, config, logger } = deps;
  try {
    const connection = deps.connectionId(socket);
    const digest = tokenDigest(auth.data.token);
    // The hold-off and the session-attach budget are checked inside the Store step, after the token.
    const { points, seconds: windowSeconds } = config.rateLimits["session-attach"];
    const connected = await store.connect(auth.data.token, connection, config.maxConnectionsPerSession, {
      points,
      windowMs: windowSeconds * 1000,
      now: deps.clock(),
    });
    if (!connected.ok && connected.code === "session_unknown")
      return refused("session_unknown", TEXTS.session_unknown.ended);
    if (!connected.ok && connected.code !== "too_many_connections") {
      const seconds = waitSeconds(connected.retryAfterMs);
      const why = connected.code === "flooding" ? TEXTS.flooding.held : TEXTS.rate_limited.reconnects;
      return refused(connected.code, why(seconds), connected.retryAfterMs);
    }
    const userId = connected.ok ? connected.session.id : connected.userId;
    const detach = () =>
      store
        .detachConnection(userId, connection, deps.clock() + config.sessionGraceMs)
        .catch((error: unknown) => logger.error({ err: error, userId }, "detach failed"));
    // Socket.IO drops a socket whose transport closed before it connected, without a disconnect
    // event: until it connects (and its disconnect handler takes over), detach here, or the session
    // would keep a tab nobody has.
    if (socket.conn.readyState !== "open") {
      if (connected.ok) await detach();
      return refused("session_unknown", TEXTS.session_unknown.closed);
    }
    const onClose = connected.ok ? () => track(detach()) : undefined;
    if (onClose) socket.conn.once("close", onClose);
    socket.data = {
      userId,
      tokenDigest: digest,
      address: handshakeAddress(socket, config),
      ...(connected.ok && connected.session.crowded ? { crowded: true } : {}),
      resumed: false,
      lastMessageId: auth.data.lastMessageId,
      lastRoom: auth.data.lastRoom,
      page: `${tabOf(socket)}/${auth.data.page ?? socket.id}`,
    };
    handshakes.set(socket, { connected, onClose });
    return undefined;
  } catch (error) {
    logger.error({ err: error }, "handshake failed");
    return refused("internal", TEXTS.internal.check);
  }
}

/** What the connected socket's handshake did in the Store; from now on its disconnect handler detaches it. */
export function takeHandshake(socket: AppSocket): ConnectResult | undefined {
  const entry = handshakes.get(socket);
  handshakes.delete(socket);
  if (entry?.onClose) socket.conn.off("close", entry.onClose);
  return entry?.connected;
}

/** Resolves once every handshake running now, and every detach standing in for one, has finished. */
export async function handshakesSettled(): Promise<void> {
  await Promise.all(inFlight);
}
