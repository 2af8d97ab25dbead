// Connections that keep sending past their budget. Every refused event still costs this instance a
// read, a parse and an ack, and the others' events on it wait behind them: a flood is dearer than its
// refusals. So a refusal is made as cheap as possible (before parsing, from what this instance already
// knows: a block learnt from the cluster-wide limit, or this connection's own count), and a connection
// refused config.flood.refusals times within config.flood.windowMs is told why and closed; its session
// may not connect again, on any instance, for config.flood.cooldownMs. A flood spread over tabs, or
// over sessions from one address, is counted too: each refusal is also charged cluster-wide to the
// session and to the client address (a Store round trip paid only by refused events), and past either
// budget the connection is cut (with the session's: every tab of it).
import type { LimitFamily } from "../limit-families.js";
import type { FloodScope } from "../metrics.js";
import type { ClientToServerEvents } from "@videochat/protocol";
import type { AppSocket, RealtimeDeps } from "./deps.js";
import { EVENT_FAMILY, rateLimited } from "./limits.js";
import { endConnection, floodingReason } from "./ended.js";
import { userChannel } from "./channels.js";

type Deps = Pick<RealtimeDeps, "config" | "limits" | "logger" | "io" | "store" | "clock"> &
  Partial<Pick<RealtimeDeps, "metrics">>;

/** A count in a fixed window. Per connection, so it lives (and is collected) with the socket. */
interface Tally {
  count: number;
  since: number;
}
/** Refusals of each connection. */
const tallies = new WeakMap<AppSocket, Tally>();
/** Events of each family each connection sent, counted here before any Store round trip. */
const sent = new WeakMap<AppSocket, Map<LimitFamily, Tally>>();

/**
 * Milliseconds to wait when this one connection alone has already sent the user's whole budget of
 * `event`'s family in the current window (so the cluster-wide count is spent too), else null. This
 * refuses the rest of a burst read in one go, before the first cluster-wide refusal is back.
 */
function spentOnThisConnection(socket: AppSocket, deps: Deps, event: keyof ClientToServerEvents) {
  const family = EVENT_FAMILY[event];
  const { points, seconds } = deps.config.rateLimits[family];
  const tally = sent.get(socket)?.get(family);
  if (!tally || tally.count < points) return null;
  const left = tally.since + seconds * 1000 - Date.now();
  return left > 0 ? left : null;
}

/** Counts a well-formed event on this connection's tally (invalid ones do not count, as in the budget). */
export function countSent(socket: AppSocket, deps: Deps, event: keyof ClientToServerEvents): void {
  const family = EVENT_FAMILY[event];
  const now = Date.now();
  let families = sent.get(socket);
  if (!families) sent.set(socket, (families = new Map()));
  let tally = families.get(family);
  if (!tally || now - tally.since >= deps.config.rateLimits[family].seconds * 1000)
    families.set(family, (tally = { count: 0, since: now }));
  tally.count += 1;
}

/** Cut (or gone): what is still in its read buffer is dropped unanswered, whatever the event. */
export function isCut(socket: AppSocket, deps: Deps): boolean {
  return !socket.connected || (tallies.get(socket)?.count ?? 0) >= deps.config.flood.refusals;
}

/**
 * The edge's first step, before parsing: true when the event is dealt with already, either dropped
 * (its connection was cut) or refused with `rate_limited` because its family is blocked for this user.
 */
export function refusedEarly(
  socket: AppSocket,
  deps: Deps,
  event: keyof ClientToServerEvents,
  reply: (response: ReturnType<typeof rateLimited>) => void,
): boolean {
  if (isCut(socket, deps)) return true;
  const waitMs =
    deps.limits.blockedFor(event, socket.data.userId) ?? spentOnThisConnection(socket, deps, event);
  if (waitMs === null) return false;
  reply(rateLimited(waitMs));
  countRefusal(socket, deps);
  return true;
}

/** Counts one refusal (over a limit, bad input, no ack callback); past the budget, cuts the connection. */
export function countRefusal(socket: AppSocket, deps: Deps): void {
  const { refusals, windowMs } = deps.config.flood;
  const now = Date.now();
  let tally = tallies.get(socket);
  if (!tally || now - tally.since > windowMs) {
    tally = { count: 0, since: now };
    tallies.set(socket, tally);
  }
  tally.count += 1;
  if (tally.count === refusals) return cutOff(socket, deps, "connection");
  deps.limits.chargeRefusal(socket.data.tokenDigest, socket.data.address).then(
    (spent) => spent && socket.connected && cutOff(socket, deps, spent),
    (error: unknown) => deps.logger.warn({ err: error, userId: socket.data.userId }, "refusal not counted"),
  );
}

function cutOff(socket: AppSocket, deps: Deps, by: FloodScope): void {
  const { userId } = socket.data;
  const { cooldownMs } = deps.config.flood;
  deps.logger.warn({ userId, socketId: socket.id, cooldownMs, by }, "connection cut for flooding");
  deps.metrics?.floodCut(by);
  deps.store
    .holdOff(userId, deps.clock() + cooldownMs)
    .catch((error: unknown) => deps.logger.warn({ err: error, userId }, "flood hold-off not stored"));
  endConnection(socket, "flooding", cooldownMs);
  // The session's other tabs, on any instance, flooded with it: they are cut too, told why.
  if (by === "session") {
    const tabs = deps.io.in(userChannel(userId));
    tabs.emit("session:ended", floodingReason(cooldownMs));
    setImmediate(() => tabs.disconnectSockets(true));
  }
}
