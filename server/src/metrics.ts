// The operator's view of one instance: Prometheus metrics (prom-client), one registry per instance.
// The hot path only increments counters and observes histograms (no labels built from user input, no
// awaits); gauges that need counting (sockets, sessions, room members) are computed when scraped.
import { performance } from "node:perf_hooks";
import type { Redis } from "ioredis";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { RoomOccupancy } from "./protocol.js";
import type { AppServer } from "./realtime/deps.js";

/** Seconds: an ack is normally a few ms; the top buckets catch Redis trouble (ioredis retries). */
const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
const REDIS_BUCKETS = [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5];

/** What the edge, the cluster code and the Store report; every method is cheap and synchronous. */
export interface Metrics {
  registry: Registry;
  /**
   * Starts timing one client event; the returned function takes the ack sent back and counts its
   * outcome (`ok` or the error code) and latency. `event` must be a registered name or "unknown".
   */
  eventStarted(event: string): (ack: unknown) => void;
  floodCut(): void;
  outboundCut(): void;
  reaperTakeovers(count: number): void;
}

/** Whatever gauges need at scrape time. */
export interface MetricsSources {
  io: AppServer;
  everyRoomCount: () => Promise<RoomOccupancy[]>;
}

const outcomeOf = (ack: unknown): string => {
  if (typeof ack !== "object" || ack === null) return "none";
  if ((ack as { ok?: unknown }).ok === true) return "ok";
  const code = (ack as { error?: { code?: unknown } }).error?.code;
  return typeof code === "string" ? code : "error";
};

/** A registry with process metrics and every family of this file, labelled with `instanceId`. */
export function createMetrics(instanceId: string, sources: MetricsSources): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ instance_id: instanceId });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const events = new Counter({
    name: "videochat_events_total",
    help: "Client events answered, by event name and outcome (ok or the error code)",
    labelNames: ["event", "outcome"] as const,
    registers,
  });
  const ackSeconds = new Histogram({
    name: "videochat_event_ack_seconds",
    help: "Time from a client event's arrival to its acknowledgement, by event name",
    labelNames: ["event"] as const,
    buckets: ACK_BUCKETS,
    registers,
  });
  const rateLimited = new Counter({
    name: "videochat_rate_limit_refusals_total",
    help: "Client events refused as over the user's limit (rate_limited), by event name",
    labelNames: ["event"] as const,
    registers,
  });
  const floodCuts = new Counter({
    name: "videochat_flood_cuts_total",
    help: "Connections cut for sending past the refusal budget",
    registers,
  });
  const outboundCuts = new Counter({
    name: "videochat_outbound_buffer_cuts_total",
    help: "Connections cut because their unsent bytes passed OUTBOUND_BUFFER_MAX_BYTES",
    registers,
  });
  const takeovers = new Counter({
    name: "videochat_reaper_takeovers_total",
    help: "Dead instances (or earlier runs) whose sessions this instance's reaper took over",
    registers,
  });
  new Gauge({
    name: "videochat_sockets",
    help: "Socket.IO connections open on this instance",
    registers,
    collect() {
      this.set(sources.io.of("/").sockets.size);
    },
  });
  new Gauge({
    name: "videochat_sessions",
    help: "Distinct sessions (users) with a connection on this instance",
    registers,
    collect() {
      const users = new Set<string>();
      for (const socket of sources.io.of("/").sockets.values()) users.add(socket.data.userId);
      this.set(users.size);
    },
  });
  new Gauge({
    name: "videochat_room_members",
    help: "Members of each room, across the cluster (the occupancy feed's counts)",
    labelNames: ["room"] as const,
    registers,
    async collect() {
      for (const room of await sources.everyRoomCount()) this.set({ room: room.name }, room.count);
    },
  });

  return {
    registry,
    eventStarted: (event) => {
      const started = performance.now();
      return (ack) => {
        const outcome = outcomeOf(ack);
        events.inc({ event, outcome });
        ackSeconds.observe({ event }, (performance.now() - started) / 1000);
        if (outcome === "rate_limited") rateLimited.inc({ event });
      };
    },
    floodCut: () => floodCuts.inc(),
    outboundCut: () => outboundCuts.inc(),
    reaperTakeovers: (count) => takeovers.inc(count),
  };
}

/** Counts Socket.IO adapter broadcasts (emits to rooms, which the Redis adapter also publishes). */
export function countBroadcasts(io: AppServer, metrics: Metrics): void {
  const broadcasts = new Counter({
    name: "videochat_adapter_broadcasts_total",
    help: "Broadcasts through the Socket.IO adapter (room and user-channel emits)",
    registers: [metrics.registry],
  });
  const adapter = io.of("/").adapter;
  const broadcast = adapter.broadcast.bind(adapter);
  adapter.broadcast = (packet, options) => {
    broadcasts.inc();
    broadcast(packet, options);
  };
}

/** Times every command `client` sends (queueing included), by role (store, pub, sub) and command. */
export function timeRedis(clients: { role: string; client: Redis }[], metrics: Metrics): void {
  const seconds = new Histogram({
    name: "videochat_redis_command_seconds",
    help: "Redis command latency seen by the instance, by connection role and command",
    labelNames: ["role", "command"] as const,
    buckets: REDIS_BUCKETS,
    registers: [metrics.registry],
  });
  for (const { role, client } of clients) {
    const send = client.sendCommand.bind(client);
    client.sendCommand = (command, stream) => {
      const started = performance.now();
      const done = () =>
        seconds.observe({ role, command: command.name }, (performance.now() - started) / 1000);
      command.promise.then(done, done);
      return send(command, stream);
    };
  }
}
