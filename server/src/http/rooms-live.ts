// GET /api/rooms/live: the join screen's live room counts as server-sent events (WHATWG HTML
// "Server-sent events"), since it has no socket. The first event lists every room; each later one the
// rooms whose counts changed, as `rooms:occupancy` carries them: `data: {"rooms":[...]}`.
import type { RequestHandler } from "express";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import type { RoomOccupancy } from "@videochat/protocol";
import type { CountsStream } from "../realtime/occupancy.js";
import { addressKey } from "./proxy.js";
import { TEXTS } from "../error-texts.js";

/** A comment line before nginx's proxy_read_timeout for /api/ (15 s) would close a quiet stream. */
const KEEP_ALIVE_MS = 10_000;

/** Streams on one instance at most: each is an open connection. Past it, 503 and the SPA retries. */
export const MAX_STREAMS = 20_000;

/** How long a refused join screen waits before it asks again (`retry-after`, and the SPA's wait). */
const RETRY_AFTER_S = 10;

export function roomsLive(deps: {
  config: Config;
  logger: Logger;
  streams: Set<CountsStream>;
  everyRoomCount: () => Promise<RoomOccupancy[]>;
}): RequestHandler {
  const { config, logger, streams, everyRoomCount } = deps;
  /** Open streams per client address (addressKey: IPv6 per /64): one address cannot hold the proxy's connections. */
  const perAddress = new Map<string, number>();
  return (req, res) => {
    if (streams.size >= MAX_STREAMS) {
      res.status(503).set("retry-after", String(RETRY_AFTER_S));
      res.json({ error: { code: "internal", message: TEXTS.internal.watchers } });
      return;
    }
    // req.ip reads X-Forwarded-For only from a trusted proxy (TRUST_PROXY).
    const address = addressKey(req.ip ?? "");
    const open = perAddress.get(address) ?? 0;
    if (open >= config.liveStreamsPerAddress) {
      res.status(429).set("retry-after", String(RETRY_AFTER_S));
      res.json({
        error: {
          code: "rate_limited",
          message: TEXTS.rate_limited.streams(RETRY_AFTER_S),
          retryAfterMs: RETRY_AFTER_S * 1000,
        },
      });
      return;
    }
    perAddress.set(address, open + 1);
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      // nginx passes the events on as they come instead of buffering the response.
      "x-accel-buffering": "no",
    });
    const close = () => {
      streams.delete(stream);
      clearInterval(keepAlive);
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    };
    // A reader that stops reading is cut rather than let its events pile up here.
    const send = (text: string) => {
      if (res.destroyed) return;
      if (res.writableLength > config.outboundBufferMaxBytes) res.destroy();
      else res.write(text);
    };
    const stream: CountsStream = {
      write: (rooms) => send(`data: ${JSON.stringify({ rooms })}\n\n`),
      end: () => res.end(),
    };
    const keepAlive = setInterval(() => send(": keep-alive\n\n"), KEEP_ALIVE_MS);
    req.on("close", close);
    // Listed before the read: a change after it arrives with a newer version, which the SPA keeps.
    streams.add(stream);
    everyRoomCount().then(stream.write, (error: unknown) => {
      logger.error({ err: error }, "room counts read failed");
      res.destroy();
    });
  };
}
