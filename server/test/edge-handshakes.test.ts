// What nginx and an instance each take for "an open Engine.IO session", and whose address an instance
// charges: the edge tricks of an attacker's pass (issue 16), each against real nginx and instances.
// A second nginx renders the shipped template with its handshake rate scaled down (1/min after a
// burst of 3, instead of 20/s after 200), so each trick is measured with a dozen requests: the maps
// that decide what is limited, the thing under test, are the template's own.
import { chmodSync, mkdtempSync, readFileSync } from "node:fs";
import { get, type ClientRequest } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  NGINX_TEMPLATE_PATH,
  startNginx,
  writeNativeNginxConfig,
  type NginxProcess,
} from "../../scripts/cluster/nginx.js";
import { freePort } from "../../scripts/cluster/processes.js";
import type { Cluster } from "../../scripts/cluster/topology.js";
import { claim, send, type RawResponse } from "./support/edge.js";
import { startTestCluster } from "./support/cluster.js";

const BURST = 3;
/** The open Engine.IO connections an address may hold here (the shipped template: 500). */
const SOCKETS = 2;
/** Shaped like an Engine.IO id (20 base64url characters), but no instance has such a session. */
const MADE_UP = "AAAAAAAAAAAAAAAAAAAA";
let cluster: Cluster;
let nginx: NginxProcess;
let nextAddress = 10;
/** A loopback source address no other request of this file used: a fresh handshake budget. */
const freshAddress = () => `127.0.1.${nextAddress++}`;

beforeAll(async () => {
  cluster = await startTestCluster({ SESSION_CLAIMS_PER_MIN: "3" });
  const shipped = readFileSync(NGINX_TEMPLATE_PATH, "utf8");
  const template = shipped
    .replace("rate=20r/s", "rate=1r/m")
    .replace("burst=200", `burst=${BURST}`)
    .replace("limit_conn sockets 500;", `limit_conn sockets ${SOCKETS};`);
  expect(template.match(/rate=1r\/m|burst=3 |limit_conn sockets 2;/g)).toHaveLength(3);
  const dir = mkdtempSync(path.join(tmpdir(), "videochat-edge-"));
  chmodSync(dir, 0o755); // nginx's workers run as nobody when the tests run as root
  const native = await writeNativeNginxConfig({
    dir,
    port: await freePort(),
    upstreams: cluster.instances.map((instance) => ({ host: "127.0.0.1", port: instance.port })),
    root: dir,
    template,
    // The secret the cluster's own nginx sends, so that the instances believe this one too.
    proxySecret: cluster.instanceEnv.TRUST_PROXY_SECRET,
  });
  nginx = await startNginx(native);
}, 90_000);
afterAll(async () => {
  await nginx?.stop();
  await cluster?.stop();
});

type Transport = "polling" | "websocket";
const UPGRADE = {
  Connection: "Upgrade",
  Upgrade: "websocket",
  "Sec-WebSocket-Version": "13",
  "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
};

function engine(transport: Transport, extra: string, localAddress: string): Promise<RawResponse> {
  return send(nginx.url, {
    path: `/socket.io/?EIO=4&transport=${transport}&tab=t-${localAddress}${extra ? `&${extra}` : ""}`,
    headers: transport === "websocket" ? UPGRADE : {},
    localAddress,
  });
}

/** Opens a polling session from `localAddress` and returns its Engine.IO sid. */
async function openSession(localAddress: string): Promise<string> {
  const opened = await engine("polling", "", localAddress);
  expect(opened.status).toBe(200);
  return (JSON.parse(opened.body.slice(1)) as { sid: string }).sid;
}

/** `count` requests one after the other; their statuses. */
async function statuses(count: number, ask: () => Promise<RawResponse>): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await ask()).status);
  return seen;
}

describe.each(["polling", "websocket"] as const)("nginx's handshake limit (%s)", (transport) => {
  const opened = transport === "websocket" ? 101 : 200;

  // Each is a new handshake to Engine.IO (URLSearchParams: case-sensitive, percent-decoded, the last
  // of a repeated key wins), so each must spend the address's handshake budget like a plain one.
  it.each([
    ["no sid", () => ""],
    ["SID", () => "SID=x"],
    ["Sid", () => "Sid=1"],
    ["sId", () => "sId=x"],
    ["a duplicated sid, the last one empty", (sid: string) => `sid=${sid}&sid=`],
    ["a duplicated sid", () => `sid=${MADE_UP}&sid=${MADE_UP}`],
    ["an encoded s%69d", () => `s%69d=${MADE_UP}`],
    ["a bare sid", () => "sid"],
  ])("limits handshakes with %s", async (_trick, query) => {
    const address = freshAddress();
    const sid = await openSession(address); // spends one of the budget, and gives a real id to misuse
    const seen = await statuses(12, () => engine(transport, query(sid), address));
    // BURST + 1 pass in all (the session above took one); the rest are refused before any instance.
    expect(seen.filter((status) => status === 429).length).toBeGreaterThanOrEqual(12 - BURST);
  });

  it("lets the budget's handshakes through as handshakes", async () => {
    const address = freshAddress();
    const seen = await statuses(BURST + 3, () => engine(transport, "SID=x", address));
    expect(seen.slice(0, BURST + 1)).toEqual(Array<number>(BURST + 1).fill(opened));
    expect(seen.slice(BURST + 1)).toEqual([429, 429]);
  });

  it("never limits a real open session, even from an address past its budget", async () => {
    const address = freshAddress();
    const sid = await openSession(address);
    expect((await statuses(BURST + 3, () => engine(transport, "", address))).at(-1)).toBe(429);
    const polls = await statuses(12, () =>
      transport === "polling"
        ? send(nginx.url, {
            method: "POST",
            path: `/socket.io/?EIO=4&transport=polling&tab=t-${address}&sid=${sid}`,
            headers: { "Content-Type": "text/plain;charset=UTF-8" },
            body: "3",
            localAddress: address,
          })
        : engine("websocket", `sid=${sid}`, address),
    );
    expect(polls).toEqual(Array<number>(12).fill(transport === "polling" ? 200 : 101));
  });

  it("lets a made-up id of the right shape through to an instance, which opens no session", async () => {
    const address = freshAddress();
    // One after the other: at once, they would also meet the ceiling on open connections (SOCKETS here).
    const seen: RawResponse[] = [];
    for (let i = 0; i < 12; i++) seen.push(await engine(transport, `sid=${MADE_UP}`, address));
    for (const response of seen) {
      expect(response.status).toBe(400);
      expect(response.body).toMatch(/Session ID unknown|^$/);
    }
  });
});

describe("paths nginx and an instance read differently", () => {
  it("refuses a raw path that normalizes into another location (400), so /api/ never reaches a handshake", async () => {
    for (const raw of [
      "/socket.io/../api/health?EIO=4&transport=polling",
      "/socket.io/%2e%2e/api/health?EIO=4&transport=polling",
      "/api/../socket.io/?EIO=4&transport=polling",
      "/api/..%2Fsocket.io/?EIO=4&transport=polling",
    ]) {
      const response = await send(nginx.url, { path: raw, localAddress: freshAddress() });
      expect(response.status, raw).toBe(400);
    }
    expect((await send(nginx.url, { path: "/api/health" })).status).toBe(200);
  });
});

describe("X-Forwarded-For", () => {
  it("is ignored from anyone but nginx's own address: a direct client is charged to its real address", async () => {
    const [instance] = cluster.instances;
    const direct = [];
    for (let i = 0; i < 4; i++) {
      // Straight to an instance from 127.0.0.1, each time claiming another address.
      const forged = { "X-Forwarded-For": `203.0.113.${i}` };
      direct.push((await claim(instance!.url, `direct${i}`, { headers: forged })).status);
    }
    expect(direct).toEqual([201, 201, 201, 429]);
    // Through nginx (which connects from 127.0.0.3 and says who the client is), another address claims.
    expect((await claim(nginx.url, "via-nginx", { localAddress: freshAddress() })).status).toBe(201);
  });

  it("is ignored from nginx's own address without nginx's secret: any local process may send from 127.0.0.3", async () => {
    const [instance] = cluster.instances;
    const fromProxyAddress = [];
    for (let i = 0; i < 4; i++) {
      // Straight to an instance from nginx's address, forging a client address and a wrong secret.
      const headers = {
        "X-Forwarded-For": `203.0.113.${10 + i}`,
        "X-Proxy-Secret": `guess-${i}-0123456789abcdef`,
      };
      fromProxyAddress.push(
        (await claim(instance!.url, `bound${i}`, { headers, localAddress: "127.0.0.3" })).status,
      );
    }
    // All four are 127.0.0.3's own (3 a minute here), not four addresses' first.
    expect(fromProxyAddress).toEqual([201, 201, 201, 429]);
    // nginx, from that same address but with the secret, still names each client: they claim.
    for (let i = 0; i < 2; i++) {
      const claimed = await claim(nginx.url, `proxied${i}`, { localAddress: freshAddress() });
      expect(claimed.status).toBe(201);
    }
    // A client cannot pass a secret of its own through nginx: nginx replaces it with the real one.
    const client = freshAddress();
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const headers = { "X-Proxy-Secret": "client-chosen-0123456789", "X-Forwarded-For": `198.51.100.${i}` };
      statuses.push((await claim(nginx.url, `chosen${i}`, { headers, localAddress: client })).status);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
  });
});

describe("the join screens' count streams (GET /api/rooms/live)", () => {
  /** Opens a stream from `localAddress` and resolves with its status; the request stays open. */
  function openStream(pathAndQuery: string, localAddress: string, held: ClientRequest[]): Promise<number> {
    const { hostname, port } = new URL(nginx.url);
    return new Promise((resolve, reject) => {
      const req = get({ host: hostname, port, path: pathAndQuery, localAddress }, (res) => {
        res.on("error", () => {}); // destroyed at the end of the test
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      held.push(req);
    });
  }

  it("holds 20 per client address across the instances, whatever tab or spelling of the path picks them", async () => {
    const held: ClientRequest[] = [];
    try {
      const address = freshAddress();
      // Express routes each of these to the stream (case-insensitive, trailing slash).
      const spellings = ["/api/rooms/live", "/api/Rooms/Live", "/api/rooms/live/"];
      const statuses: number[] = [];
      // One after the other, each on another tab (so another instance, as `?tab=` places it).
      for (let i = 0; i < 26; i++) {
        statuses.push(await openStream(`${spellings[i % spellings.length]}?tab=live-${i}`, address, held));
      }
      expect(statuses.slice(0, 20)).toEqual(Array<number>(20).fill(200));
      expect(statuses.slice(20)).toEqual(Array<number>(6).fill(429));
      // Another address still gets its own.
      expect(await openStream("/api/rooms/live?tab=other", freshAddress(), held)).toBe(200);
    } finally {
      for (const req of held) req.destroy();
    }
  });
});

describe("open Engine.IO connections per client address", () => {
  /** Sends a long-poll of session `sid` from `localAddress`; it stays open until the test ends. */
  function holdPoll(sid: string, localAddress: string, held: ClientRequest[]): void {
    const { hostname, port } = new URL(nginx.url);
    const path = `/socket.io/?EIO=4&transport=polling&tab=t-${localAddress}&sid=${sid}`;
    const req = get({ host: hostname, port, path, localAddress }, (res) => res.resume());
    req.on("error", () => {}); // destroyed at the end of the test
    held.push(req);
  }
  /** A poll of a session no instance has: the instance answers 400 at once, unless nginx refuses first. */
  const probe = (localAddress: string) => engine("polling", `sid=${MADE_UP}`, localAddress);

  it("holds an address to its ceiling across the instances, and frees a place when a connection closes", async () => {
    const held: ClientRequest[] = [];
    const address = freshAddress();
    try {
      // Two real sessions (two handshakes of the burst), each holding its long-poll open.
      const sids = [await openSession(address), await openSession(address)];
      for (const sid of sids) holdPoll(sid, address, held);
      // Once both polls are open, a third connection from the address is refused at the edge.
      await expect.poll(async () => (await probe(address)).status, { timeout: 20_000 }).toBe(429);
      // Another address is not held back by this one's.
      expect((await probe(freshAddress())).status).toBe(400);
      // A closed connection frees its place.
      held.splice(0).forEach((req) => req.destroy());
      await expect.poll(async () => (await probe(address)).status, { timeout: 20_000 }).toBe(400);
    } finally {
      held.forEach((req) => req.destroy());
    }
  });
});
