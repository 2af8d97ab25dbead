// Express: the JSON API under /api, security headers, and the built SPA with history-mode fallback.
import { existsSync } from "node:fs";
import path from "node:path";
import express, { type ErrorRequestHandler, type Response } from "express";
import type { Config } from "./config.js";
import { claimLimits, refuseClaim } from "./http/claims.js";
import { addressKey } from "./http/proxy.js";
import { securityHeaders } from "./http/headers.js";
import { compileTrust } from "./http/proxy.js";
import { reloading } from "./http/reloading.js";
import { roomsLive } from "./http/rooms-live.js";
import type { Logger } from "./logger.js";
import type { ErrorCode, HealthResponse, RoomOccupancy } from "@videochat/protocol";
import { roomCounts, type CountsStream } from "./realtime/occupancy.js";
import { createSessionBody, firstIssue } from "@videochat/protocol/schemas";
import { nameKey } from "./confusable.js";
import type { ClaimBudget, Store } from "./state/store.js";
import { isRetryable, UNAVAILABLE_RETRY_MS } from "./redis/replicated.js";
import { TEXTS } from "./error-texts.js";

interface AppDeps {
  config: Config;
  store: Store;
  logger: Logger;
  clock: () => number;
  /** The join screens' count streams on this instance (GET /api/rooms/live); the occupancy feed writes. */
  streams: Set<CountsStream>;
  /** Every room's count as the occupancy feed keeps it, for a new stream to start from. */
  everyRoomCount: () => Promise<RoomOccupancy[]>;
  /** The reaper's shortcut to a deadline it should sweep at (a kept call place's grace). */
  deadlineAt?: (at: number) => void;
  /** A claim made its address crowded: these other sessions' sockets must spend its budgets now. */
  crowded?: (userIds: string[]) => void;
}

/** Claims made again at most, when each one's write outlasts half the grace (see `claim`). */
const CLAIM_ATTEMPTS = 3;

const sendError = (res: Response, status: number, code: ErrorCode, message: string) =>
  res.status(status).json({ error: { code, message } });

/** Redis that does not answer quickly counts as down: health must answer even then. */
async function answersWithin(check: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createApp({
  config,
  store,
  logger,
  clock,
  streams,
  everyRoomCount,
  deadlineAt = () => {},
  crowded = () => {},
}: AppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // Off unless TRUST_PROXY names the proxy: req.ip, req.protocol and req.secure then read its X-Forwarded-*.
  app.set("trust proxy", compileTrust(config.trustProxy));
  app.use(securityHeaders());
  app.use("/api", express.json({ limit: "16kb" }));

  app.get("/api/health", async (_req, res) => {
    const redisUp = store.kind === "redis" ? await answersWithin(store.ping(), 500) : undefined;
    const body: HealthResponse = {
      status: redisUp === false ? "degraded" : "ok",
      instanceId: config.instanceId,
      store: store.kind,
      redis: redisUp === undefined ? "not_configured" : redisUp ? "up" : "down",
    };
    res.status(redisUp === false ? 503 : 200).json(body);
  });

  app.get("/api/rooms", async (_req, res) => {
    res.json({ rooms: await roomCounts(store, config.rooms) });
  });
  app.get("/api/rooms/live", roomsLive({ config, logger, streams, everyRoomCount }));

  /**
   * Claims `name`; the tab then has the whole grace to attach, counted from the claim's answer. A claim
   * whose write waited out half the grace or more (a Redis stall) has its deadline set again, or is
   * made again when the reaper ended it meanwhile. Null when that kept happening.
   */
  async function claim(name: string, room: string, budget: ClaimBudget) {
    for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
      const startedAt = clock();
      const graceDeadline = startedAt + config.sessionGraceMs;
      const created = await store.createSession(
        { name, nameKey: nameKey(name), room, graceDeadline },
        budget,
      );
      if (!created.ok || clock() - startedAt < config.sessionGraceMs / 2) return created;
      if (await store.renewGrace(created.session.id, clock() + config.sessionGraceMs)) return created;
      logger.warn({ userId: created.session.id }, "a claim expired while its write waited; claiming again");
    }
    return null;
  }

  const claims = claimLimits(config, clock);
  app.post("/api/session", async (req, res) => {
    // req.ip reads X-Forwarded-For only from a trusted proxy (TRUST_PROXY).
    const address = addressKey(req.ip ?? "");
    const waitMs = claims.waitOf(address);
    if (waitMs > 0) return refuseClaim(res, waitMs);
    const parsed = createSessionBody.safeParse(req.body);
    if (!parsed.success) {
      const onName = parsed.error.issues.some((issue) => issue.path[0] === "name");
      return sendError(
        res,
        400,
        onName ? "invalid_name" : "invalid_payload",
        firstIssue(parsed.error).replace(/^name: /, ""),
      );
    }
    const { name, room } = parsed.data;
    if (!config.rooms.includes(room)) return sendError(res, 400, "unknown_room", TEXTS.unknown_room(room));
    const created = await claim(name, room, claims.budget(address));
    if (!created) return sendError(res, 503, "internal", TEXTS.internal.slow);
    if (!created.ok && created.code === "rate_limited") {
      claims.block(address, created.retryAfterMs);
      return refuseClaim(res, created.retryAfterMs);
    }
    if (!created.ok && created.code === "too_many_sessions")
      return sendError(res, 429, "too_many_sessions", TEXTS.too_many_sessions(config.addressSessions.max));
    if (!created.ok) return sendError(res, 409, "name_taken", TEXTS.name_taken.claimed(name));
    if (created.crowdedNow?.length) crowded(created.crowdedNow);
    logger.info({ userId: created.session.id, room }, "session created");
    res.status(201).json({ token: created.token, user: { id: created.session.id, name }, room });
  });

  app.post("/api/session/reloading", reloading({ config, store, clock, deadlineAt }));

  app.use("/api", (_req, res) => sendError(res, 404, "invalid_payload", "No such API endpoint."));

  const indexHtml = path.join(config.clientDist, "index.html");
  if (existsSync(indexHtml)) {
    app.use(express.static(config.clientDist, { index: false, maxAge: "1h" }));
    app.get(/^\/(?!socket\.io\/).*/, (_req, res) => res.sendFile(indexHtml));
  }

  const onError: ErrorRequestHandler = (error: { type?: string; status?: number }, _req, res, _next) => {
    if (error.type === "entity.parse.failed")
      return sendError(res, 400, "invalid_payload", "The body is not valid JSON.");
    if (error.type === "entity.too.large")
      return sendError(res, 413, "invalid_payload", "The body is too large.");
    if (isRetryable(error)) {
      const retryAfterMs = UNAVAILABLE_RETRY_MS;
      return res
        .set("Retry-After", "1")
        .status(503)
        .json({ error: { code: "unavailable", message: TEXTS.unavailable, retryAfterMs } });
    }
    logger.error({ err: error }, "request failed");
    sendError(res, 500, "internal", "Something went wrong on our side.");
  };
  app.use(onError);
  return app;
}
