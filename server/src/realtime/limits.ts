// Per-user limits on every client->server event, grouped in families (config.rateLimits). With Redis
// they hold across instances; past a limit the instance remembers the block itself, so a flood costs
// no Redis round trip until the window ends.
import type { Redis } from "ioredis";
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import type { Config } from "../config.js";
import { LIMIT_FAMILIES, type LimitFamily } from "../limit-families.js";
import type { ClientToServerEvents } from "../protocol.js";
import { TEXTS, waitSeconds } from "../error-texts.js";

type EventName = keyof ClientToServerEvents;

/** Which family each event counts against. Events of one family share its budget. */
export const EVENT_FAMILY: Record<EventName, LimitFamily> = {
  "room:message": "room-message",
  "room:join": "room-join",
  "presence:set": "presence",
  "session:leave": "session-leave",
  "rooms:watch": "rooms-watch",
  "private:open": "private-chat",
  "private:close": "private-chat",
  "private:message": "private-message",
  "private:typing": "private-typing",
  "room:typing": "room-typing",
  "presence:idle": "presence",
  "call:media": "call-media",
  "group:start": "call",
  "group:join": "call",
  "group:leave": "call",
  "group:invite": "call",
  "group:decline": "call",
  "group:signal": "call-signal",
  "call:invite": "call",
  "call:answer": "call",
  "call:end": "call",
  "call:signal": "call-signal",
  "call:ice-servers": "ice-servers",
};

function signalBytes(payload: unknown): number {
  const signal = payload as { description?: { sdp?: string }; candidate?: { candidate: string } | null };
  return (signal.description?.sdp?.length ?? 0) + (signal.candidate?.candidate.length ?? 0);
}

/** Events that also spend a byte budget: a 60 KB SDP costs more than a 100-byte candidate. */
const BYTE_BUDGET: Partial<Record<EventName, { family: LimitFamily; bytes: (payload: unknown) => number }>> =
  {
    "call:signal": { family: "call-signal-bytes", bytes: signalBytes },
    "group:signal": { family: "call-signal-bytes", bytes: signalBytes },
  };

export interface EventLimits {
  /**
   * Charges one `event` (with its parsed payload) to `userId`. Resolves with null when it may go on,
   * or with the milliseconds to wait when the user is over a limit. Rejects only on a bug.
   */
  charge(event: EventName, userId: string, payload: unknown): Promise<number | null>;

  /**
   * For an event whose feature charges its budget itself, inside its one Store round trip
   * (FEATURE_CHARGED): remembers on this instance that `userId` is over it for `waitMs`, so that a
   * flood is refused at the edge without reaching Redis until then.
   */
  block(event: EventName, userId: string, waitMs: number): void;

  /**
   * Synchronous and allocation-free: the milliseconds `userId` must still wait before `event`'s family
   * takes events again, as this instance already knows, or null. The edge asks it before parsing.
   */
  blockedFor(event: EventName, userId: string): number | null;

  /**
   * Keeps the session whose token has digest `tokenDigest` from connecting (attaching a tab) on any
   * instance for `ms` (a flooder cut off). Keyed by the token's digest, not the user id: user ids are
   * public (member lists), and a handshake asks before its token is checked.
   */
  holdOff(tokenDigest: string, ms: number): Promise<void>;

  /**
   * At a handshake, asked in parallel with the Store's check of the token (so keyed by its digest, which
   * nobody can forge for someone else's session): null when it may attach a connection now, otherwise
   * why not and for how long (`flooding`: held off after a flood; `rate_limited`: too many connections
   * in the session-attach window).
   */
  mayAttach(tokenDigest: string): Promise<{ code: "flooding" | "rate_limited"; waitMs: number } | null>;
}

/**
 * Events whose budget the feature's own Store step charges, in its one round trip: room:message
 * (postRoomMessage) and session:leave (leaveSession).
 */
export const FEATURE_CHARGED: ReadonlySet<EventName> = new Set(["room:message", "session:leave"]);

function limiterFor(family: LimitFamily, config: Config, redis: Redis | undefined): RateLimiterAbstract {
  const { points, seconds } = config.rateLimits[family];
  const window = { points, duration: seconds };
  if (!redis) return new RateLimiterMemory(window);
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${config.redisPrefix}:rl:${family}`,
    ...window,
    // Once the budget is spent, this instance refuses by itself until the window ends.
    inMemoryBlockOnConsumed: points,
    // While Redis is away, limit per instance at once rather than queue every event behind it.
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory(window),
  });
}

/** The limiters for every family: Redis-backed (cluster-wide) when `redis` is given, in memory otherwise. */
export function createEventLimits(config: Config, redis?: Redis): EventLimits {
  const limiters = Object.fromEntries(
    LIMIT_FAMILIES.map((family) => [family, limiterFor(family, config, redis)]),
  ) as Record<LimitFamily, RateLimiterAbstract>;
  /** `<family> <user>` -> epoch ms until which this instance refuses by itself. */
  const blocked = new Map<string, number>();
  const holds = holdOffs(config, redis);
  const blockedFor = (event: EventName, userId: string): number | null => {
    const key = `${EVENT_FAMILY[event]} ${userId}`;
    const until = blocked.get(key);
    if (until === undefined) return null;
    const left = until - Date.now();
    if (left > 0) return left;
    blocked.delete(key);
    return null;
  };
  const block = (event: EventName, userId: string, waitMs: number) => {
    forgetExpired(blocked);
    blocked.set(`${EVENT_FAMILY[event]} ${userId}`, Date.now() + waitMs);
  };
  const consume = async (family: LimitFamily, userId: string, points = 1): Promise<number | null> => {
    try {
      await limiters[family].consume(userId, points);
      return null;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      return Math.max(1, Math.ceil(error.msBeforeNext));
    }
  };
  return {
    block,
    blockedFor,
    holdOff: holds.set,
    async mayAttach(tokenDigest) {
      const [heldMs, waitMs] = await Promise.all([
        holds.left(tokenDigest),
        consume("session-attach", tokenDigest),
      ]);
      if (heldMs !== null) return { code: "flooding", waitMs: heldMs };
      return waitMs === null ? null : { code: "rate_limited", waitMs };
    },
    async charge(event, userId, payload) {
      const known = blockedFor(event, userId);
      if (known !== null || FEATURE_CHARGED.has(event)) return known;
      const budget = BYTE_BUDGET[event];
      const waits = await Promise.all([
        consume(EVENT_FAMILY[event], userId),
        budget ? consume(budget.family, userId, Math.max(1, budget.bytes(payload))) : null,
      ]);
      const waitMs = waits.reduce<number | null>(
        (most, wait) => (wait === null ? most : Math.max(most ?? 1, wait)),
        null,
      );
      // Until the window ends, this user's next events of the family are refused before parsing.
      if (waitMs !== null) block(event, userId, waitMs);
      return waitMs;
    },
  };
}

/** Entries past their time are dropped when read; this drops the ones never read again, once many pile up. */
function forgetExpired(untils: Map<string, number>, atMost = 10_000): void {
  if (untils.size < atMost) return;
  const now = Date.now();
  for (const [key, until] of untils) if (until <= now) untils.delete(key);
}

/** Cluster-wide hold-offs (a Redis key with a PX expiry), remembered on this instance as well. */
function holdOffs(config: Config, redis: Redis | undefined) {
  const local = new Map<string, number>();
  const key = (userId: string) => `${config.redisPrefix}:holdoff:${userId}`;
  return {
    async set(userId: string, ms: number): Promise<void> {
      forgetExpired(local);
      local.set(userId, Date.now() + ms);
      if (redis) await redis.set(key(userId), "1", "PX", ms);
    },
    async left(userId: string): Promise<number | null> {
      const until = local.get(userId);
      if (until !== undefined && until <= Date.now()) local.delete(userId);
      else if (until !== undefined) return until - Date.now();
      if (!redis) return null;
      const ttl = await redis.pttl(key(userId));
      return ttl > 0 ? ttl : null;
    },
  };
}

/** The ack of a refused event; the message words the wait for people, retryAfterMs for programs. */
export function rateLimited(retryAfterMs: number) {
  return {
    ok: false as const,
    error: {
      code: "rate_limited" as const,
      message: TEXTS.rate_limited.events(waitSeconds(retryAfterMs)),
      retryAfterMs,
    },
  };
}
