// The operator's endpoint: `GET /metrics` on its own port (METRICS_PORT), never the public one, so
// nginx, which proxies only the public port, cannot expose it. With METRICS_TOKEN set, a scrape must
// send `Authorization: Bearer <token>` (Prometheus: `authorization: { credentials: … }`).
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Listens on `port` (0: a free one) and resolves with the server and its bound port. */
export async function serveMetrics(
  registry: Registry,
  options: { port: number; host: string; token: string },
): Promise<{ server: Server; port: number }> {
  const expected = options.token ? digest(`Bearer ${options.token}`) : undefined;
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: GET /metrics\n");
      return;
    }
    // Equal-length digests: the comparison takes the same time whatever the guess.
    if (expected && !timingSafeEqual(digest(req.headers.authorization ?? ""), expected)) {
      res.writeHead(401, { "content-type": "text/plain", "www-authenticate": "Bearer" }).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      (error: unknown) =>
        res.writeHead(500, { "content-type": "text/plain" }).end(`metrics failed: ${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
