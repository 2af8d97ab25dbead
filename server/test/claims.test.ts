// Session claims per client address (POST /api/session): a burst from one address gets 429 after the
// limit, other addresses are unaffected, X-Forwarded-For counts only from a trusted proxy, and on
// Redis the limit holds across instances.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { addressKey } from "../src/http/proxy.js";
import type { HttpError } from "@videochat/protocol";
import { claim, type RawResponse } from "./support/edge.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { startServer, type TestServer } from "./support/server.js";

const LIMIT = 5;
const limited = { SESSION_CLAIMS_PER_MIN: String(LIMIT) };

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
async function start(env: Record<string, string>): Promise<TestServer> {
  const server = await startServer({ ...limited, ...env });
  servers.push(server);
  return server;
}

/** `count` claims one after another, each with a fresh name; the statuses in order. */
async function burst(
  urls: string[],
  prefix: string,
  count: number,
  options: Parameters<typeof claim>[2] = {},
) {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++)
    statuses.push((await claim(urls[i % urls.length]!, `${prefix}${i}`, options)).status);
  return statuses;
}

function expectRateLimited(response: RawResponse) {
  expect(response.status).toBe(429);
  const { error } = JSON.parse(response.body) as HttpError;
  expect(error.code).toBe("rate_limited");
  expect(error.message).toMatch(/Try again in \d+ s\./);
  expect(error.retryAfterMs).toBeGreaterThan(0);
  expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  expect(response.headers["retry-after"]).toBe(String(Math.ceil(error.retryAfterMs! / 1000)));
}

describe("straight to an instance (no proxy trusted)", () => {
  it("answers 429 rate_limited after the limit, and another address still gets in", async () => {
    const { url } = await start({});
    expect(await burst([url], "ann", LIMIT)).toEqual(Array(LIMIT).fill(201));
    expectRateLimited(await claim(url, "ann-late"));
    // Failed claims count too: they cost the same work.
    expectRateLimited(await claim(url, ""));
    expect((await claim(url, "bea", { localAddress: "127.0.0.2" })).status).toBe(201);
  });

  it("ignores X-Forwarded-For, which any client can write", async () => {
    const { url } = await start({});
    await burst([url], "cid", LIMIT, { headers: { "X-Forwarded-For": "203.0.113.1" } });
    expectRateLimited(await claim(url, "cid-late", { headers: { "X-Forwarded-For": "203.0.113.2" } }));
  });
});

describe("behind a trusted proxy (TRUST_PROXY=loopback)", () => {
  it("counts the forwarded client address: one is limited, another is not", async () => {
    const { url } = await start({ TRUST_PROXY: "loopback" });
    const from = (address: string) => ({ headers: { "X-Forwarded-For": address } });
    expect(await burst([url], "dee", LIMIT, from("203.0.113.7"))).toEqual(Array(LIMIT).fill(201));
    expectRateLimited(await claim(url, "dee-late", from("203.0.113.7")));
    expect((await claim(url, "eve", from("203.0.113.8"))).status).toBe(201);
    // One IPv6 host picks addresses from its /64: they share a count, the next /64 has its own.
    expect(await burst([url], "fay", LIMIT, from("2001:db8:1:2::1"))).toEqual(Array(LIMIT).fill(201));
    expectRateLimited(await claim(url, "fay-late", from("2001:db8:1:2:abcd::9")));
    expect((await claim(url, "gus", from("2001:db8:1:3::1"))).status).toBe(201);
  });
});

describe("two instances on one Redis", () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("holds the limit across instances", async () => {
    const env = { REDIS_URL: redis.url, REDIS_PREFIX: "claims" };
    const [a, b] = [await start({ ...env, INSTANCE_ID: "a" }), await start({ ...env, INSTANCE_ID: "b" })];
    expect(await burst([a.url, b.url], "hal", LIMIT)).toEqual(Array(LIMIT).fill(201));
    expectRateLimited(await claim(a.url, "hal-late-a"));
    expectRateLimited(await claim(b.url, "hal-late-b"));
    expect((await claim(b.url, "ida", { localAddress: "127.0.0.2" })).status).toBe(201);
  });
});

describe("addressKey", () => {
  it("keeps IPv4, unwraps IPv4-mapped IPv6 and groups IPv6 by /64", () => {
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(addressKey("2001:db8:1:2:abcd::9")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:0db8:0001:0002:0000:0000:0000:0001")).toBe("2001:db8:1:2::/64");
    expect(addressKey("")).toBe("unknown");
  });
});
