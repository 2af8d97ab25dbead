// The operator's view of one instance: Prometheus metrics (prom-client), one registry per instance.
// The hot path only increments counters and observes histograms (no labels built from user input, no
// awaits); gauges that need counting (sockets, sessions, room members, calls) are read when scraped.
// A leaf below every layer: the parts that report take a `Metrics`, the composition root wires them.
import { performance } from "node:perf_hooks";
import type { Redis } from "ioredis";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from "prom-client";

/** Seconds: an ack is normally a few ms; the top buckets catch Redis trouble (retries, a failover). */
const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
const REDIS_BUCKETS = [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5];

/** What cut a connection for flooding: its own refusals, its session's (every tab), its address's. */
export type FloodScope = "connection" | "session" | "address";

/** What the scrape-time gauges read; each is called once per scrape. */
export interface MetricsSources {
  /** Socket.IO connections open on this instance. */
  sockets(): number;
  /** Distinct sessions (users) with a connection on this instance. */
  sessions(): number;
  /** Members of each room, across the cluster. */
  roomMembers(): Promise<{ room: string; count: number }[]>;
  /** Participants of each room's group call, across the cluster (0: no call). */
  groupCallParticipants(): Promise<{ room: string; count: number }[]>;
  /** With an SFU: live Janus nodes (cluster-wide) and this instance's participants in VideoRooms. */
  sfu?: { liveNodes(): Promise<number>; participants(): number };
}

/** What the edge, the cluster code and the SFU report; every method is cheap and synchronous. */
export interface Metrics {
  registry: Registry;
  /**
   * Starts timing one client event; the returned function takes the ack sent back and counts its
   * outcome (`ok` or the error code) and latency. `event` must be a registered name or "unknown".
   */
  eventStarted(event: string): (ack: unknown) => void;
  floodCut(by: FloodScope): void;
  outboundCut(): void;
  reaperTakeovers(count: number): void;
  /** A group call moved off a dead Janus node by this instance. */
  sfuRehomed(): void;
  /** Registers the gauges read at scrape time (once per registry). */
  watch(sources: MetricsSources): void;
}

const outcomeOf = (ack: unknown): string => {
  if (typeof ack !== "object" || ack === null) return "none";
  if ((ack as { ok?: unknown }).ok === true) return "ok";
  const code = (ack as { error?: { code?: unknown } }).error?.code;
  return typeof code === "string" ? code : "error";
};

/**
 * Milliseconds between the event-loop delay monitor's samples (nodejs_eventloop_lag_*). prom-client's
 * default, 10, wakes an idle instance 100 times a second: 0.4-0.6 % of a core each, measured, more
 * than everything else an idle instance does, and paid for every second of every bench row (docs/
 * performance.md, "CPU per operation before and after the house's reorganisation"). At 100 a stall
 * of the loop still shows in the delay percentiles (late samples), with a tenth of the wake-ups.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * prom-client's process metrics (CPU, memory, event loop, GC), collected once per process: their
 * collectors (an event-loop delay monitor, a GC observer) cannot be stopped, and a test process builds
 * hundreds of instances. Each instance's registry shows the same metric objects under its own label.
 */
let processMetrics: Registry | undefined;
function processMetricObjects(): Metric[] {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  }
  const registry = processMetrics;
  return registry.getMetricsAsArray().map(({ name }) => registry.getSingleMetric(name)!);
}

/** A registry with process metrics and the counters and histograms below, labelled `instance_id`. */
export function createMetrics(instanceId: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ instance_id: instanceId });
  for (const metric of processMetricObjects()) registry.registerMetric(metric);
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
    help: "Connections cut for sending past a refusal budget, by whose budget (connection, session, address)",
    labelNames: ["by"] as const,
    registers,
  });
  for (const by of ["connection", "session", "address"] as const) floodCuts.inc({ by }, 0);
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
  const rehomes = new Counter({
    name: "videochat_sfu_rehomes_total",
    help: "Group calls this instance moved off a dead Janus node",
    registers,
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
    floodCut: (by) => floodCuts.inc({ by }),
    outboundCut: () => outboundCuts.inc(),
    reaperTakeovers: (count) => takeovers.inc(count),
    sfuRehomed: () => rehomes.inc(),
    watch: (sources) => watchGauges(registry, sources),
  };
}

function watchGauges(registry: Registry, sources: MetricsSources): void {
  const registers = [registry];
  new Gauge({
    name: "videochat_sockets",
    help: "Socket.IO connections open on this instance",
    registers,
    collect() {
      this.set(sources.sockets());
    },
  });
  new Gauge({
    name: "videochat_sessions",
    help: "Distinct sessions (users) with a connection on this instance",
    registers,
    collect() {
      this.set(sources.sessions());
    },
  });
  new Gauge({
    name: "videochat_room_members",
    help: "Members of each room, across the cluster (the occupancy feed's counts)",
    labelNames: ["room"] as const,
    registers,
    async collect() {
      for (const { room, count } of await sources.roomMembers()) this.set({ room }, count);
    },
  });
  new Gauge({
    name: "videochat_group_call_participants",
    help: "Participants of each room's group call, across the cluster (0: no call)",
    labelNames: ["room"] as const,
    registers,
    async collect() {
      for (const { room, count } of await sources.groupCallParticipants()) this.set({ room }, count);
    },
  });
  // Without an SFU (mesh group calls) both read 0, so one dashboard fits every deployment.
  const { sfu } = sources;
  new Gauge({
    name: "videochat_sfu_live_nodes",
    help: "Janus nodes with a current heartbeat, across the cluster",
    registers,
    async collect() {
      this.set(sfu ? await sfu.liveNodes() : 0);
    },
  });
  new Gauge({
    name: "videochat_sfu_participants",
    help: "This instance's sockets in Janus VideoRooms",
    registers,
    collect() {
      this.set(sfu ? sfu.participants() : 0);
    },
  });
}

/** The one method of a Socket.IO adapter that every room and user-channel emit goes through. */
interface Broadcaster {
  broadcast(packet: unknown, options: unknown): void;
}

/** Counts Socket.IO adapter broadcasts (emits to rooms, which the Redis adapter also publishes). */
export function countBroadcasts(adapter: Broadcaster, metrics: Metrics): void {
  const broadcasts = new Counter({
    name: "videochat_adapter_broadcasts_total",
    help: "Broadcasts through the Socket.IO adapter (room and user-channel emits)",
    registers: [metrics.registry],
  });
  const broadcast = adapter.broadcast.bind(adapter);
  adapter.broadcast = (packet, options) => {
    broadcasts.inc();
    broadcast(packet, options);
  };
}

/**
 * Times every command each client sends (queueing included), by role (the connection's name: limits,
 * store, pub, sub) and command. Errors are timed too: a command a failover cut off shows as slow.
 */
export function timeRedis(clients: Record<string, Redis>, metrics: Metrics): void {
  const seconds = new Histogram({
    name: "videochat_redis_command_seconds",
    help: "Redis command latency seen by the instance, by connection role and command",
    labelNames: ["role", "command"] as const,
    buckets: REDIS_BUCKETS,
    registers: [metrics.registry],
  });
  for (const [role, client] of Object.entries(clients)) {
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
