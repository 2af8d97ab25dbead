// The per-address limit on session claims (POST /api/session). Claiming a name costs nothing, so
// without it one address could hold every name in the app (3,160 in 5 s, seen in the field).
import type { Response } from "express";
import type { Config } from "../config.js";
import type { HttpError } from "@videochat/protocol";
import type { ClaimBudget } from "../state/store.js";
import { TEXTS } from "../error-texts.js";

/** Where the addresses this instance keeps refusing by itself stop being worth remembering. */
const MAX_BLOCKED = 10_000;

/**
 * SESSION_CLAIMS_PER_MIN per address per minute. The Store charges each well-formed claim in the
 * same step that claims the name (on Redis, shared by every instance: nginx spreads one address's
 * tabs over all of them). Once it refuses one, this instance refuses that address by itself, badly
 * formed requests included, until the window ends.
 */
export function claimLimits(config: Pick<Config, "rateLimits" | "addressSessions">, clock: () => number) {
  /** Address key -> epoch ms until which this instance refuses it. */
  const blocked = new Map<string, number>();
  return {
    /** The budget to charge a claim from `address` (see proxy.ts addressKey) to. */
    budget: (address: string): ClaimBudget => ({
      address,
      points: config.rateLimits["session-claim"].points,
      windowMs: config.rateLimits["session-claim"].seconds * 1000,
      now: clock(),
      sessions: config.addressSessions,
    }),
    /** The ms this instance still refuses `address` for, or 0. */
    waitOf(address: string): number {
      const until = blocked.get(address) ?? 0;
      if (until > clock()) return until - clock();
      blocked.delete(address);
      return 0;
    },
    /** The Store refused a claim of `address` for `waitMs`. */
    block(address: string, waitMs: number): void {
      if (blocked.size >= MAX_BLOCKED)
        for (const [key, until] of blocked) if (until <= clock()) blocked.delete(key);
      if (blocked.size < MAX_BLOCKED) blocked.set(address, clock() + waitMs);
    },
  };
}

/**
 * Answers a claim over its address's limit: 429 `rate_limited` with `retryAfterMs` and a Retry-After
 * header (RFC 9110 §10.2.3, whole seconds).
 */
export function refuseClaim(res: Response, waitMs: number): void {
  const retryAfterMs = Math.max(1, Math.ceil(waitMs));
  const seconds = Math.ceil(retryAfterMs / 1000);
  const body: HttpError = {
    error: {
      code: "rate_limited",
      message: TEXTS.rate_limited.claims(seconds),
      retryAfterMs,
    },
  };
  res.set("Retry-After", String(seconds)).status(429).json(body);
}
