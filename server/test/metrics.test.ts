// The operator's endpoint on a real instance process (the entrypoint, Redis-backed): GET /metrics on
// METRICS_PORT behind a bearer token, absent from the public port, and its figures move with what
// people do (events and their outcomes, ack latency, Redis latency, broadcasts, sockets, rooms).
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAll, join, request, type ClientSocket } from "./support/clients.js";
import { sample as value } from "./support/metrics.js";
import { freePort } from "./support/ports.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { spawnServer, startServer, type ServerProcess } from "./support/server.js";

const TOKEN = "scrape-secret";
const MESSAGES = 3; // the limit below: one more is refused

let redis: RedisProcess;
let server: ServerProcess;
let metricsUrl: string;
beforeAll(async () => {
  redis = await startRedis();
  const metricsPort = await freePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  server = await spawnServer(await freePort(), {
    REDIS_URL: redis.url,
    METRICS_PORT: String(metricsPort),
    METRICS_HOST: "127.0.0.1",
    METRICS_TOKEN: TOKEN,
    MESSAGE_RATE_PER_10S: String(MESSAGES),
  });
});
afterAll(async () => {
  await server?.stop();
  await redis?.stop();
});

const scrape = async () => {
  const response = await fetch(metricsUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
};

describe("GET /metrics", () => {
  it("answers only with the bearer token, and only on METRICS_PORT", async () => {
    expect((await fetch(metricsUrl)).status).toBe(401);
    const wrong = await fetch(metricsUrl, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const onPublicPort = await fetch(`${server.url}/metrics`);
    expect(onPublicPort.status).toBe(404);
    expect(await onPublicPort.text()).not.toMatch(/videochat_/);
  });

  it("counts events by outcome, times acks and Redis, and follows sockets and rooms", async () => {
    const before = await scrape();
    expect(value(before, "videochat_sockets")).toBe(0);
    const sockets: ClientSocket[] = [];
    try {
      const alice = await join(server.url, "Alice");
      const bob = await join(server.url, "Bob");
      sockets.push(alice.socket, bob.socket);
      for (let i = 0; i <= MESSAGES; i++) await request(alice.socket, "room:message", { text: `hi ${i}` });
      const bad = await request(bob.socket, "room:message", { text: 42 } as never);
      expect(bad.ok).toBe(false);
      expect((await request(bob.socket, "group:start", {})).ok).toBe(true);

      const after = await scrape();
      const ok = 'event="room:message",outcome="ok"';
      expect(value(after, "videochat_events_total", ok)).toBe(MESSAGES);
      const limited = 'event="room:message",outcome="rate_limited"';
      expect(value(after, "videochat_events_total", limited)).toBe(1);
      expect(value(after, "videochat_rate_limit_refusals_total", 'event="room:message"')).toBe(1);
      const invalid = (bad as { error: { code: string } }).error.code;
      expect(value(after, "videochat_events_total", `event="room:message",outcome="${invalid}"`)).toBe(1);
      expect(value(after, "videochat_event_ack_seconds_count", 'event="room:message"')).toBe(MESSAGES + 2);
      expect(value(after, "videochat_sockets")).toBe(2);
      expect(value(after, "videochat_sessions")).toBe(2);
      expect(value(after, "videochat_room_members", 'room="GENERAL"')).toBe(2);
      expect(value(after, "videochat_group_call_participants", 'room="GENERAL"')).toBe(1);
      expect(value(after, "videochat_group_call_participants", 'room="SPORTS"')).toBe(0);
      expect(value(after, "videochat_adapter_broadcasts_total")).toBeGreaterThan(
        value(before, "videochat_adapter_broadcasts_total"),
      );
      expect(value(after, "videochat_redis_command_seconds_count", 'role="store"')).toBeGreaterThan(0);
      expect(value(after, "videochat_redis_command_seconds_count", 'role="pub"')).toBeGreaterThan(0);
      // Present from the start, at zero until something happens.
      for (const family of [
        "videochat_flood_cuts_total",
        "videochat_outbound_buffer_cuts_total",
        "videochat_reaper_takeovers_total",
      ])
        expect(value(after, family)).toBe(0);
      expect(value(after, "process_cpu_seconds_total")).toBeGreaterThan(0);
      expect(value(after, "nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);
    } finally {
      closeAll(...sockets);
    }
  });

  it("has every family the Grafana dashboard queries", async () => {
    const dashboard = await readFile(new URL("../../deploy/grafana/videochat.json", import.meta.url), "utf8");
    const queried = new Set(
      [...dashboard.matchAll(/\b((?:videochat|process|nodejs)_\w+)/g)].map((m) => m[1]!),
    );
    const exposed = new Set(
      [...(await scrape()).matchAll(/^# TYPE (\w+) (\w+)/gm)].flatMap(([, name, type]) =>
        type === "histogram" ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name!],
      ),
    );
    expect([...queried].filter((name) => !exposed.has(name))).toEqual([]);
    expect(queried.size).toBeGreaterThan(10);
  });

  it("shows one process's metrics under each in-process instance's own label", async () => {
    const servers = [await startServer({ INSTANCE_ID: "one" }), await startServer({ INSTANCE_ID: "two" })];
    try {
      for (const [server, id] of [
        [servers[0]!, "one"],
        [servers[1]!, "two"],
      ] as const) {
        const text = await server.instance.metrics.registry.metrics();
        expect(text).toMatch(new RegExp(`^process_cpu_seconds_total\\{instance_id="${id}"\\} `, "m"));
        expect(text).toMatch(new RegExp(`^videochat_sockets\\{instance_id="${id}"\\} 0`, "m"));
      }
    } finally {
      await Promise.all(servers.map((server) => server.close()));
    }
  });
});
