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

type EventName = keyof ClientToServerEvents;

/** Which family each event counts against. Events of one family share its budget. */
export const EVENT_FAMILY: Record<EventName, LimitFamily> = {
  "room:message": "room-message",
  "room:join": "room-join",
  "presence:set": "presence",
  "session:leave": "session-leave",
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
  /** `<event> <user>` -> epoch ms until which this instance refuses by itself. */
  const blocked = new Map<string, number>();
  return {
    block(event, userId, waitMs) {
      blocked.set(`${event} ${userId}`, Date.now() + waitMs);
    },
    async charge(event, userId, payload) {
      if (FEATURE_CHARGED.has(event)) {
        const key = `${event} ${userId}`;
        const until = blocked.get(key);
        if (until === undefined) return null;
        if (until > Date.now()) return until - Date.now();
        blocked.delete(key);
        return null;
      }
      const budget = BYTE_BUDGET[event];
      const charges: Promise<unknown>[] = [limiters[EVENT_FAMILY[event]].consume(userId)];
      if (budget) {
        charges.push(limiters[budget.family].consume(userId, Math.max(1, budget.bytes(payload))));
      }
      let waitMs: number | null = null;
      for (const outcome of await Promise.allSettled(charges)) {
        if (outcome.status === "fulfilled") continue;
        if (!(outcome.reason instanceof RateLimiterRes)) throw outcome.reason;
        waitMs = Math.max(waitMs ?? 1, Math.ceil(outcome.reason.msBeforeNext));
      }
      return waitMs;
    },
  };
}

/** The ack of a refused event; the message words the wait for people, retryAfterMs for programs. */
export function rateLimited(retryAfterMs: number) {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return {
    ok: false as const,
    error: {
      code: "rate_limited" as const,
      message: `You are sending too fast. Try again in ${seconds} s.`,
      retryAfterMs,
    },
  };
}
