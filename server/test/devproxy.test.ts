// `npm run serve`: the SPA's Vite dev server (client/vite.config.ts) proxies /socket.io to the API. It
// passes the browser's Origin and Host through unchanged, so the page on http://localhost:5173 is
// same-origin with its handshake; a rebinding name stays refused.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, beforeAll, expect, it } from "vitest";
import { handshake } from "./support/edge.js";
import { freePort } from "./support/ports.js";
import { startServer, type TestServer } from "./support/server.js";

const client = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../client");
let api: TestServer;
let vite: ViteDevServer;
let url: string;

beforeAll(async () => {
  api = await startServer();
  // vite.config.ts reads the API's port when Vite loads it.
  const previous = process.env.API_PORT;
  process.env.API_PORT = new URL(api.url).port;
  try {
    const port = await freePort();
    vite = await createServer({
      root: client,
      configFile: path.join(client, "vite.config.ts"),
      logLevel: "silent",
      server: { host: "127.0.0.1", port, strictPort: true },
    });
    await vite.listen();
    url = `http://127.0.0.1:${port}`;
  } finally {
    if (previous === undefined) delete process.env.API_PORT;
    else process.env.API_PORT = previous;
  }
}, 30_000);
afterAll(async () => {
  await vite?.close();
  await api?.close();
});

it.each(["polling", "websocket"] as const)(
  "lets the dev page open its socket through Vite (%s)",
  async (transport) => {
    const port = new URL(url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
      const response = await handshake(url, { Origin: `http://${host}`, Host: host }, transport);
      expect(response.status, host).toBe(transport === "websocket" ? 101 : 200);
    }
    // Vite refuses unknown hosts on plain HTTP itself; the WebSocket upgrade reaches our check.
    const rebound = await handshake(url, { Origin: "http://evil.example", Host: "evil.example" }, transport);
    expect(rebound.status).toBe(transport === "websocket" ? 400 : 403);
  },
);
