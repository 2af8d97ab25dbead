// The per-address limit on session claims (POST /api/session). Claiming a name costs nothing, so
// without it one address could hold every name in the app (3,160 in 5 s, seen in the field).
import type { RequestHandler } from "express";
import type { Redis } from "ioredis";
import ipaddr from "ipaddr.js";
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import type { Config } from "../config.js";
import type { HttpError } from "../protocol.js";

/**
 * SESSION_CLAIMS_PER_MIN per address per minute. On Redis the count is shared by every instance (nginx
 * spreads one address's tabs over all of them); while Redis is away, each instance counts alone.
 */
export function sessionClaimLimiter(
  config: Pick<Config, "sessionClaimsPerMin" | "redisPrefix">,
  redis?: Redis,
): RateLimiterAbstract {
  const limit = { points: config.sessionClaimsPerMin, duration: 60 };
  if (!redis) return new RateLimiterMemory(limit);
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${config.redisPrefix}:rl:claim`,
    ...limit,
    insuranceLimiter: new RateLimiterMemory(limit),
  });
}

/**
 * What an address is counted as: an IPv4 address as it is (IPv4-mapped IPv6 too), an IPv6 address by
 * its /64, because one host gets a whole /64 to pick addresses from (RFC 4291 §2.5.1, SLAAC).
 */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address || "unknown";
  const parsed = ipaddr.process(address);
  if (parsed.kind() === "ipv4") return parsed.toString();
  const prefix = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...prefix, 0, 0, 0, 0]).toString()}/64`;
}

/**
 * Express middleware in front of the claim route: counts every attempt from req.ip (which reads
 * X-Forwarded-For only from a trusted proxy) and answers 429 `rate_limited` with `retryAfterMs` and
 * a Retry-After header (RFC 9110 §10.2.3, whole seconds) once the address is over its limit.
 */
export function limitSessionClaims(limiter: RateLimiterAbstract): RequestHandler {
  return async (req, res, next) => {
    try {
      await limiter.consume(addressKey(req.ip ?? ""));
      next();
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) return next(rejection);
      const retryAfterMs = Math.max(1, Math.ceil(rejection.msBeforeNext));
      const seconds = Math.ceil(retryAfterMs / 1000);
      const body: HttpError = {
        error: {
          code: "rate_limited",
          message: `Too many joins from your network in the last minute. Try again in ${seconds} s.`,
          retryAfterMs,
        },
      };
      res.set("Retry-After", String(seconds)).status(429).json(body);
    }
  };
}
