// Who may open a socket, straight to an instance (no proxy): the handshake's Origin against the
// request's own origin, forwarded headers only from a trusted proxy, and PUBLIC_ORIGINS.
import { hostname } from "node:os";
import { io as connect } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { handshake, type RawResponse } from "./support/edge.js";
import { startServer, type TestServer } from "./support/server.js";

const TRANSPORTS = ["polling", "websocket"] as const;

/** Accepted: polling answers the open packet, WebSocket switches protocols. */
function expectAccepted(response: RawResponse, transport: (typeof TRANSPORTS)[number]) {
  if (transport === "websocket") expect(response.status).toBe(101);
  else expect([response.status, response.body.slice(0, 2)]).toEqual([200, "0{"]);
}

/** Refused with the origin_forbidden code: Engine.IO answers 403 (polling) or 400 (WebSocket). */
function expectForbidden(response: RawResponse, transport: (typeof TRANSPORTS)[number]) {
  expect(response.status).toBe(transport === "websocket" ? 400 : 403);
  const message =
    transport === "websocket" ? response.body : (JSON.parse(response.body) as { message: string }).message;
  expect(message).toMatch(/^origin_forbidden: /);
}

function serverFor(env: Record<string, string> = {}) {
  const state = { server: undefined as TestServer | undefined };
  beforeAll(async () => {
    state.server = await startServer(env);
  });
  afterAll(async () => {
    await state.server?.close();
  });
  return {
    get url() {
      return state.server!.url;
    },
    get port() {
      return new URL(state.server!.url).port;
    },
  };
}

describe.each(TRANSPORTS)(
  "straight to an instance, no proxy trusted, no PUBLIC_ORIGINS (%s)",
  (transport) => {
    const server = serverFor();
    const ask = (headers: Record<string, string>) => handshake(server.url, headers, transport);

    it("refuses Origin evil.example with X-Forwarded-Host: evil.example (nothing trusts that header)", async () => {
      const headers = { Origin: "http://evil.example", "X-Forwarded-Host": "evil.example" };
      expectForbidden(await ask(headers), transport);
      // Not even when the forwarded host is one this server would accept from a real proxy.
      const local = { Origin: "http://localhost:8080", "X-Forwarded-Host": "localhost:8080" };
      expectForbidden(await ask(local), transport);
    });

    it("refuses DNS rebinding: Origin and Host both evil.example", async () => {
      expectForbidden(await ask({ Origin: "http://evil.example", Host: "evil.example" }), transport);
      const withPort = `evil.example:${server.port}`;
      expectForbidden(await ask({ Origin: `http://${withPort}`, Host: withPort }), transport);
    });

    it("refuses a page on another origin, and an opaque origin", async () => {
      expectForbidden(await ask({ Origin: "http://localhost:5173" }), transport);
      expectForbidden(await ask({ Origin: "null" }), transport);
      expectForbidden(await ask({ Origin: `https://127.0.0.1:${server.port}` }), transport);
    });

    it("accepts the page's own origin on loopback, an IP literal or this machine's own name", async () => {
      const hosts = ["127.0.0.1", "localhost", "[::1]", "192.0.2.2", hostname(), `${hostname()}.local`];
      for (const host of hosts.map((name) => `${name}:${server.port}`)) {
        expectAccepted(await ask({ Origin: `http://${host}`, Host: host }), transport);
      }
    });

    it("accepts a client without Origin (not a browser page)", async () => {
      expectAccepted(await ask({}), transport);
    });
  },
);

describe("with PUBLIC_ORIGINS", () => {
  const server = serverFor({ PUBLIC_ORIGINS: "https://chat.example.com, http://localhost:8080" });

  it.each(TRANSPORTS)("accepts exactly the listed origins (%s)", async (transport) => {
    const ask = (headers: Record<string, string>) => handshake(server.url, headers, transport);
    expectAccepted(await ask({ Origin: "https://chat.example.com" }), transport);
    expectAccepted(await ask({ Origin: "http://localhost:8080", Host: "localhost:8080" }), transport);
    // Same-origin no longer suffices: only the list.
    const own = `127.0.0.1:${server.port}`;
    expectForbidden(await ask({ Origin: `http://${own}`, Host: own }), transport);
    expectForbidden(await ask({ Origin: "http://chat.example.com" }), transport);
    expectForbidden(await ask({ Origin: "http://evil.example", Host: "evil.example" }), transport);
  });
});

describe("behind a trusted proxy on loopback (TRUST_PROXY=loopback), no PUBLIC_ORIGINS", () => {
  const server = serverFor({ TRUST_PROXY: "loopback" });

  it.each(TRANSPORTS)("compares Origin with the forwarded host and proto (%s)", async (transport) => {
    const ask = (headers: Record<string, string>) => handshake(server.url, headers, transport);
    const proxied = { "X-Forwarded-Host": "localhost:8080", "X-Forwarded-Proto": "http" };
    expectAccepted(await ask({ Origin: "http://localhost:8080", ...proxied }), transport);
    expectForbidden(await ask({ Origin: "https://localhost:8080", ...proxied }), transport);
    const rebound = { Origin: "http://evil.example", "X-Forwarded-Host": "evil.example" };
    expectForbidden(await ask(rebound), transport);
  });
});

describe("a real Socket.IO client", () => {
  const server = serverFor();

  it("connects from its own origin and is refused from another", async () => {
    const open = (origin: string) =>
      connect(server.url, {
        transports: ["websocket"],
        extraHeaders: { Origin: origin },
        reconnection: false,
        forceNew: true,
      });
    const own = open(server.url);
    const evil = open("http://evil.example");
    try {
      // No token: the session middleware refuses own (session_unknown), the origin check refuses evil first.
      const refusal = (socket: typeof own) =>
        new Promise<Error & { data?: { code: string } }>((resolve) => socket.once("connect_error", resolve));
      const [ownError, evilError] = await Promise.all([refusal(own), refusal(evil)]);
      expect(ownError.data?.code).toBe("session_unknown");
      expect(evilError.message).toBe("websocket error");
    } finally {
      own.disconnect();
      evil.disconnect();
    }
  });
});

describe("configuration", () => {
  it("normalises PUBLIC_ORIGINS and refuses what is not an origin", () => {
    expect(
      loadConfig({ PUBLIC_ORIGINS: "HTTPS://Chat.Example.com:443/, http://a.test:8080" }).publicOrigins,
    ).toEqual(["https://chat.example.com", "http://a.test:8080"]);
    for (const bad of ["chat.example.com", "https://chat.example.com/app", "ftp://x.test", "*"]) {
      expect(() => loadConfig({ PUBLIC_ORIGINS: bad }), bad).toThrow(/PUBLIC_ORIGINS/);
    }
  });

  it("trusts no proxy by default, and only named proxies", () => {
    expect(loadConfig({}).trustProxy).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: "loopback, 10.0.0.0/8" }).trustProxy).toEqual([
      "loopback",
      "10.0.0.0/8",
    ]);
    for (const bad of ["true", "*", "everyone", "10.0.0.0/99"]) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    }
  });

  it("asks no proxy secret by default; a set one is long and safe to write into nginx's config", () => {
    expect(loadConfig({}).trustProxySecret).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY_SECRET: "" }).trustProxySecret).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY_SECRET: "abcdefghijklmnop_1" }).trustProxySecret).toBe(
      "abcdefghijklmnop_1",
    );
    for (const bad of [
      "short",
      "sixteen chars ok",
      'abcdefghijklmnop"',
      "abcdefghijklmnop$x",
      "a;".repeat(9),
    ]) {
      expect(() => loadConfig({ TRUST_PROXY_SECRET: bad }), bad).toThrow(/TRUST_PROXY_SECRET/);
    }
  });
});
