// Opens anywhere it is served: no HTTPS upgrade demanded of a plain-HTTP page (a LAN address), HSTS and
// upgrade-insecure-requests only behind a trusted TLS proxy; and the URLs `npm start` prints.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeUrls, openUrls } from "../src/http/urls.js";
import { send } from "./support/edge.js";
import { startServer, type TestServer } from "./support/server.js";

let spa: string;
beforeAll(async () => {
  spa = await mkdtemp(path.join(tmpdir(), "videochat-spa-"));
  await writeFile(path.join(spa, "index.html"), "<!doctype html><title>Video Chat</title>");
});
afterAll(async () => {
  await rm(spa, { recursive: true, force: true });
});

/** The page and an API response, as a phone on the LAN asks for them (Host: the machine's address). */
async function responses(server: TestServer, headers: Record<string, string> = {}) {
  const asked = { Host: `192.0.2.2:${new URL(server.url).port}`, ...headers };
  return Promise.all(
    ["/", "/room/GENERAL", "/api/health"].map((p) => send(server.url, { path: p, headers: asked })),
  );
}

describe.each([
  ["no proxy trusted", {}],
  ["a trusted proxy", { TRUST_PROXY: "loopback" }],
])("security headers with %s", (_label, env: Record<string, string>) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ CLIENT_DIST: spa, ...env });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("asks nothing of a page served over plain HTTP", async () => {
    for (const response of await responses(server)) {
      expect(response.status).toBe(200);
      expect(response.headers["strict-transport-security"]).toBeUndefined();
      expect(response.headers["content-security-policy"]).toContain("default-src 'self'");
      expect(response.headers["content-security-policy"]).not.toContain("upgrade-insecure-requests");
    }
  });

  it("sends HSTS and upgrade-insecure-requests only when a trusted proxy says HTTPS", async () => {
    const trusted = env.TRUST_PROXY !== undefined;
    for (const response of await responses(server, { "X-Forwarded-Proto": "https" })) {
      const csp = response.headers["content-security-policy"];
      if (trusted) {
        expect(response.headers["strict-transport-security"]).toMatch(/^max-age=\d+/);
        expect(csp).toContain("upgrade-insecure-requests");
      } else {
        expect(response.headers["strict-transport-security"]).toBeUndefined();
        expect(csp).not.toContain("upgrade-insecure-requests");
      }
    }
  });
});

describe("the URLs npm start prints", () => {
  const interfaces = {
    lo: [{ address: "127.0.0.1", family: "IPv4", internal: true }],
    eth0: [
      { address: "192.168.1.20", family: "IPv4", internal: false },
      { address: "fd00::2", family: "IPv6", internal: false },
    ],
    wlan0: [{ address: "10.0.0.5", family: "IPv4", internal: false }],
  } as unknown as Parameters<typeof openUrls>[2];

  it("lists localhost and every LAN address when bound to all interfaces", () => {
    expect(openUrls("0.0.0.0", 3000, interfaces)).toEqual({
      local: "http://localhost:3000",
      network: ["http://192.168.1.20:3000", "http://10.0.0.5:3000"],
    });
    const text = describeUrls(openUrls("0.0.0.0", 3000, interfaces));
    expect(text).toContain("Local:    http://localhost:3000");
    expect(text).toContain("Network:  http://192.168.1.20:3000");
    expect(text).toMatch(/camera and microphone/);
  });

  it("lists only what the bound address reaches", () => {
    expect(openUrls("127.0.0.1", 3000, interfaces)).toEqual({ local: "http://localhost:3000", network: [] });
    expect(openUrls("192.168.1.20", 8000, interfaces)).toEqual({ network: ["http://192.168.1.20:8000"] });
    expect(openUrls("fd00::2", 8000, interfaces)).toEqual({ network: ["http://[fd00::2]:8000"] });
    expect(describeUrls(openUrls("127.0.0.1", 3000, interfaces))).not.toMatch(/camera/);
  });
});
