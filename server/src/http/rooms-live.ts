// GET /api/rooms/live: the join screen's live room counts as server-sent events (WHATWG HTML
// "Server-sent events"), since it has no socket. The first event lists every room; each later one the
// rooms whose counts changed, as `rooms:occupancy` carries them: `data: {"rooms":[...]}`.
import type { RequestHandler } from "express";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import type { RoomOccupancy } from "../protocol.js";
import type { CountsStream } from "../realtime/occupancy.js";

/** A comment line before nginx's proxy_read_timeout for /api/ (15 s) would close a quiet stream. */
const KEEP_ALIVE_MS = 10_000;

/** Streams on one instance at most: each is an open connection. Past it, 503 and the SPA retries. */
export const MAX_STREAMS = 20_000;

export function roomsLive(deps: {
  config: Config;
  logger: Logger;
  streams: Set<CountsStream>;
  everyRoomCount: () => Promise<RoomOccupancy[]>;
}): RequestHandler {
  const { config, logger, streams, everyRoomCount } = deps;
  return (req, res) => {
    if (streams.size >= MAX_STREAMS) {
      res.status(503).set("retry-after", "10");
      res.json({ error: { code: "internal", message: "Too many watchers here. Try again shortly." } });
      return;
    }
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      // nginx passes the events on as they come instead of buffering the response.
      "x-accel-buffering": "no",
    });
    const close = () => {
      streams.delete(stream);
      clearInterval(keepAlive);
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
