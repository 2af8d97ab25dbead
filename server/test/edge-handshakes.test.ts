// What nginx and an instance each take for "an open Engine.IO session", and whose address an instance
// charges: the edge tricks of an attacker's pass (issue 16), each against real nginx and instances.
// A second nginx renders the shipped template with its handshake rate scaled down (1/min after a
// burst of 3, instead of 20/s after 200), so each trick is measured with a dozen requests: the maps
// that decide what is limited, the thing under test, are the template's own.
import { chmodSync, mkdtempSync, readFileSync } from "node:fs";
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
  const template = shipped.replace("rate=20r/s", "rate=1r/m").replace("burst=200", `burst=${BURST}`);
  expect(template.match(/rate=1r\/m|burst=3 /g)).toHaveLength(2);
  const dir = mkdtempSync(path.join(tmpdir(), "videochat-edge-"));
  chmodSync(dir, 0o755); // nginx's workers run as nobody when the tests run as root
  const native = await writeNativeNginxConfig({
    dir,
    port: await freePort(),
    upstreams: cluster.instances.map((instance) => ({ host: "127.0.0.1", port: instance.port })),
    root: dir,
    template,
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
    const seen = await Promise.all(
      Array.from({ length: 12 }, () => engine(transport, `sid=${MADE_UP}`, address)),
    );
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
});
