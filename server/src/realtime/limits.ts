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
import type { ClientToServerEvents } from "@videochat/protocol";
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
  "group:hand": "call-hand",
  "call:hand": "call-hand",
  "call:reaction": "call-reaction",
  "call:invite": "call",
  "call:answer": "call",
  "call:end": "call",
  "call:signal": "call-signal",
  "call:ice-servers": "ice-servers",
  "sfu:join": "call",
  "sfu:publish": "call-signal",
  "sfu:answer": "call-signal",
  "sfu:trickle": "call-signal",
  "sfu:restart": "call-signal",
  "room:edit": "message-change",
  "room:delete": "message-change",
  "room:react": "reaction",
  "private:edit": "message-change",
  "private:delete": "message-change",
  "private:react": "reaction",
  "reach:sync": "reach",
  "reach:dismiss": "reach",
  "room:read": "room-read",
  "file:offer": "file",
  "file:answer": "file",
  "file:cancel": "file",
  "file:signal": "file-signal",
};

/**
 * The bytes a signal costs: its whole payload as it is relayed (JSON, UTF-8), so that every field
 * counts (sdpMid, usernameFragment, the call and peer ids...), not only the SDP and candidate strings.
 */
function signalBytes(payload: unknown): number {
  return Buffer.byteLength(JSON.stringify(payload) ?? "");
}

/** Events that also spend a byte budget: a 60 KB SDP costs more than a 100-byte candidate. */
const BYTE_BUDGET: Partial<Record<EventName, { family: LimitFamily; bytes: (payload: unknown) => number }>> =
  {
    "call:signal": { family: "call-signal-bytes", bytes: signalBytes },
    "group:signal": { family: "call-signal-bytes", bytes: signalBytes },
    "sfu:publish": { family: "call-signal-bytes", bytes: signalBytes },
    "sfu:answer": { family: "call-signal-bytes", bytes: signalBytes },
    "sfu:trickle": { family: "call-signal-bytes", bytes: signalBytes },
    "file:signal": { family: "call-signal-bytes", bytes: signalBytes },
  };

/**
 * Events that also spend their client address's budget (ADDRESS_FAMILIES: all the address's sessions
 * together). room:message's is charged in postRoomMessage's step, with its session budget.
 */
const ADDRESS_BUDGET: Partial<Record<EventName, LimitFamily>> = {
  "private:message": "private-message-address",
  "room:typing": "room-typing-address",
  "room:react": "reaction-address",
  "private:react": "reaction-address",
  "room:edit": "message-change-address",
  "room:delete": "message-change-address",
  "private:edit": "message-change-address",
  "private:delete": "message-change-address",
  "room:join": "room-join-address",
  "presence:set": "presence-address",
  "presence:idle": "presence-address",
};

export interface EventLimits {
  /**
   * Charges one `event` (with its parsed payload) to `userId`, and, for a crowded session
   * (Session.crowded), to its connection's `crowdedAddress` for the events that have a per-address
   * budget too (undefined for every other session: no command for it). Resolves with null when it may
   * go on, or with the milliseconds to wait when the user (or the address) is over a limit. Rejects
   * only on a bug.
   */
  charge(event: EventName, userId: string, payload: unknown, crowdedAddress?: string): Promise<number | null>;

  /**
   * For an event whose feature charges its budget itself, inside its one Store round trip
   * (FEATURE_CHARGED): remembers on this instance that `userId` is over it for `waitMs`, so that a
   * flood is refused at the edge without reaching Redis until then.
   */
  block(event: EventName, userId: string, waitMs: number): void;

  /**
   * Charges one ring of `inviteeId` from client `address` (the `ring` family, keyed by both): null
   * when it may ring, else the ms to wait.
   */
  chargeRing(inviteeId: string, address: string): Promise<number | null>;

  /**
   * Synchronous and allocation-free: the milliseconds `userId` must still wait before `event`'s family
   * takes events again, as this instance already knows, or null. The edge asks it before parsing.
   */
  blockedFor(event: EventName, userId: string): number | null;

  /**
   * Counts one refused event of a connection of the session with token digest `tokenDigest`, from
   * client `address`, cluster-wide (config.flood): "session" once the session's tabs together, or
   * "address" once every session from that address together, were refused more than their budget in
   * the window, else null. Asked only on a refusal; once spent, answered on this instance alone.
   */
  chargeRefusal(tokenDigest: string, address: string): Promise<"session" | "address" | null>;
}

/**
 * Events whose budget the feature's own Store step charges, in its one round trip: room:message
 * (postRoomMessage), session:leave (leaveSession), presence:set (setStatus) and presence:idle
 * (setConnectionIdle).
 */
export const FEATURE_CHARGED: ReadonlySet<EventName> = new Set([
  "room:message",
  "session:leave",
  "presence:set",
  "presence:idle",
]);

function limiterFor(
  name: string,
  { points, seconds }: { points: number; seconds: number },
  config: Config,
  redis: Redis | undefined,
): RateLimiterAbstract {
  const window = { points, duration: seconds };
  if (!redis) return new RateLimiterMemory(window);
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${config.redisPrefix}:rl:${name}`,
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
    LIMIT_FAMILIES.map((family) => [family, limiterFor(family, config.rateLimits[family], config, redis)]),
  ) as Record<LimitFamily, RateLimiterAbstract>;
  const { refusals, addressRefusals, windowMs } = config.flood;
  const seconds = Math.max(1, Math.ceil(windowMs / 1000));
  const refused = {
    session: limiterFor("flood-session", { points: refusals, seconds }, config, redis),
    address: limiterFor("flood-address", { points: addressRefusals, seconds }, config, redis),
  };
  const spends = (limiter: RateLimiterAbstract, key: string) =>
    limiter.consume(key).then(
      () => false,
      (error: unknown) => {
        if (error instanceof RateLimiterRes) return true;
        throw error;
      },
    );
  /** `<family> <user>` -> epoch ms until which this instance refuses by itself. */
  const blocked = new Map<string, number>();
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
    chargeRing: (inviteeId, address) => consume("ring", `${inviteeId}|${address}`),
    async chargeRefusal(tokenDigest, address) {
      const [session, fromAddress] = await Promise.all([
        spends(refused.session, tokenDigest),
        spends(refused.address, address),
      ]);
      return session ? "session" : fromAddress ? "address" : null;
    },
    async charge(event, userId, payload, crowdedAddress) {
      const known = blockedFor(event, userId);
      if (known !== null) return known;
      const fromAddress = crowdedAddress === undefined ? undefined : ADDRESS_BUDGET[event];
      const addressWait = fromAddress ? consume(fromAddress, crowdedAddress!) : null;
      if (FEATURE_CHARGED.has(event)) {
        // The feature's Store step charges the user; only a crowded session's address is charged here.
        const waitMs = await addressWait;
        if (waitMs !== null) block(event, userId, waitMs);
        return waitMs;
      }
      const budget = BYTE_BUDGET[event];
      const waits = await Promise.all([
        consume(EVENT_FAMILY[event], userId),
        budget ? consume(budget.family, userId, Math.max(1, budget.bytes(payload))) : null,
        addressWait,
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

/** The ack of a ring refused by the `ring` family: who was rung too often from this address, and the wait. */
export function ringLimited(name: string, retryAfterMs: number) {
  return {
    ok: false as const,
    error: {
      code: "rate_limited" as const,
      message: TEXTS.rate_limited.rings(name, waitSeconds(retryAfterMs)),
      retryAfterMs,
    },
  };
}
