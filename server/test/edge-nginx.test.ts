// The edge through a real nginx in front of two instances on Redis (the native cluster, configured as
// `npm run cluster` is: TRUST_PROXY=127.0.0.3, the address nginx connects from; PUBLIC_ORIGINS =
// nginx's own origins).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../../scripts/cluster/topology.js";
import type { HealthResponse, HttpError } from "@videochat/protocol";
import { claim, handshake, send } from "./support/edge.js";
import { startTestCluster } from "./support/cluster.js";

const LIMIT = 3;
let cluster: Cluster;
let authority: string;

beforeAll(async () => {
  cluster = await startTestCluster({ SESSION_CLAIMS_PER_MIN: String(LIMIT) });
  authority = new URL(cluster.url).host;
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describe.each(["polling", "websocket"] as const)("opening a socket through nginx (%s)", (transport) => {
  const refusedStatus = transport === "websocket" ? 400 : 403;
  const ask = (headers: Record<string, string>) => handshake(cluster.url, headers, transport);

  it("refuses Origin evil.example with X-Forwarded-Host: evil.example", async () => {
    const response = await ask({ Origin: "http://evil.example", "X-Forwarded-Host": "evil.example" });
    expect(response.status).toBe(refusedStatus);
    expect(response.body).toContain("origin_forbidden");
  });

  it("refuses DNS rebinding: Origin and Host both evil.example", async () => {
    const port = new URL(cluster.url).port;
    for (const host of ["evil.example", `evil.example:${port}`]) {
      const response = await ask({ Origin: `http://${host}`, Host: host });
      expect(response.status, host).toBe(refusedStatus);
      expect(response.body).toContain("origin_forbidden");
    }
  });

  it("accepts the pages nginx serves, as 127.0.0.1 and as localhost", async () => {
    for (const host of [authority, authority.replace("127.0.0.1", "localhost")]) {
      const response = await ask({ Origin: `http://${host}`, Host: host });
      expect(response.status, host).toBe(transport === "websocket" ? 101 : 200);
    }
  });
});

describe("session claims through nginx", () => {
  /** Tab ids that nginx sends to each instance, so the burst crosses both. */
  async function tabsOnBothInstances(): Promise<string[]> {
    const byInstance = new Map<string, string>();
    for (let i = 0; byInstance.size < 2 && i < 64; i++) {
      const tab = `claims-${i}`;
      const health = (await (await fetch(`${cluster.url}/api/health?tab=${tab}`)).json()) as HealthResponse;
      if (!byInstance.has(health.instanceId)) byInstance.set(health.instanceId, tab);
    }
    expect(byInstance.size).toBe(2);
    return [...byInstance.values()];
  }

  it("limits one address across both instances, whatever X-Forwarded-For it sends, and not another", async () => {
    const tabs = await tabsOnBothInstances();
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) {
      // nginx replaces the client's X-Forwarded-For with the address it saw.
      const spoofed = { "X-Forwarded-For": `203.0.113.${i}` };
      statuses.push((await claim(cluster.url, `jo${i}`, { headers: spoofed, tab: tabs[i % 2] })).status);
    }
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(201), 429]);
    const late = await claim(cluster.url, "jo-late", { tab: tabs[1] });
    expect(late.status).toBe(429);
    expect((JSON.parse(late.body) as HttpError).error.code).toBe("rate_limited");
    expect(Number(late.headers["retry-after"])).toBeGreaterThan(0);
    for (const tab of tabs) {
      expect((await claim(cluster.url, `kim-${tab}`, { localAddress: "127.0.0.2", tab })).status).toBe(201);
    }
  });
});

describe("Socket.IO handshakes through nginx", () => {
  it("are limited per address (429 past a burst of 200), while another address and open sessions go on", async () => {
    const origin = { Origin: cluster.url };
    const path = (tab: string) => `/socket.io/?EIO=4&transport=polling&tab=${tab}`;
    // One address opens an open session first, then sends 400 handshakes at once (forged tokens would do
    // the same: nginx limits before any instance sees them).
    const opened = await send(cluster.url, {
      path: path("kept"),
      headers: origin,
      localAddress: "127.0.0.5",
    });
    expect(opened.status).toBe(200);
    const sid = (JSON.parse(opened.body.slice(1)) as { sid: string }).sid;
    const statuses = await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        send(cluster.url, { path: path(`flood-${i}`), headers: origin, localAddress: "127.0.0.5" }).then(
          (response) => response.status,
        ),
      ),
    );
    const refused = statuses.filter((status) => status === 429).length;
    expect(refused).toBeGreaterThanOrEqual(150);
    expect(statuses.filter((status) => status !== 429).every((status) => status === 200)).toBe(true);
    // Its open session still polls (a request with a sid is never limited); another address still connects.
    const poll = await send(cluster.url, {
      method: "POST",
      path: `${path("kept")}&sid=${sid}`,
      headers: { ...origin, "Content-Type": "text/plain;charset=UTF-8" },
      body: "3",
      localAddress: "127.0.0.5",
    });
    expect(poll.status).toBe(200);
    const other = await send(cluster.url, {
      path: path("other"),
      headers: origin,
      localAddress: "127.0.0.6",
    });
    expect(other.status).toBe(200);
  });
});
