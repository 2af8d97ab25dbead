// Environment -> typed, validated configuration. The one place that reads process.env.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { IceTransportPolicy } from "@videochat/protocol";
import { compileTrust } from "./http/proxy.js";
import { rateLimitsWith, rateLimitOverrides, type LimitFamily, type RateLimit } from "./limit-families.js";

const here = path.dirname(fileURLToPath(import.meta.url));
/** client/dist, seen from server/src (tsx) and server/dist (built) alike. */
const defaultClientDist = path.resolve(here, "../../client/dist");

const csv = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean),
    );

/** An origin as browsers send it: scheme, host and port only, lower-cased, the default port dropped. */
const origin = z.string().transform((value, ctx) => {
  try {
    const url = new URL(value);
    const bare = url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password;
    if ((url.protocol === "http:" || url.protocol === "https:") && bare) return url.origin;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: "custom", message: `${value} is not an origin like https://chat.example.com` });
  return z.NEVER;
});

/** `host:port` of a Sentinel, e.g. `10.0.0.5:26379` or `[::1]:26379`. */
const hostPort = z.string().transform((value, ctx) => {
  const match = /^(\[[0-9a-fA-F:.]+\]|[\w.-]+):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (match && port >= 1 && port <= 65535) return { host: match[1]!.replace(/^\[|\]$/g, ""), port };
  ctx.addIssue({ code: "custom", message: `${value} is not host:port like sentinel-1:26379` });
  return z.NEVER;
});

const ms = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  INSTANCE_ID: z
    .string()
    .regex(/^[\w.-]{1,64}$/, "letters, digits, _ . - only")
    // One per loaded config, not per process: two instances in one process (tests) must not share one.
    .default(() => `${hostname()}-${randomBytes(3).toString("hex")}`),
  REDIS_URL: z.string().default(""),
  REDIS_SENTINELS: csv("").pipe(z.array(hostPort)),
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[\w.-]{1,64}$/, "letters, digits, _ . - only")
    .default("videochat"),
  REDIS_PASSWORD: z.string().default(""),
  REDIS_SENTINEL_PASSWORD: z.string().default(""),
  REDIS_REPLICA_ACK: z.enum(["wait", "off"]).default("wait"),
  REDIS_REPLICA_TIMEOUT_MS: ms(5_000),
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w.-]{1,32}$/, "letters, digits, _ . - only")
    .default("videochat"),
  ROOMS: csv("GENERAL,SPORTS,GAMES").pipe(
    z
      .array(z.string().regex(/^[A-Z0-9_-]{1,24}$/, "room names are A-Z, 0-9, _ or -, up to 24"))
      .min(1)
      .refine((rooms) => new Set(rooms).size === rooms.length, "room names must be unique"),
  ),
  SESSION_GRACE_MS: ms(30_000),
  // A call's tab closed by the user: long enough for a reload of the page to come back, short enough
  // that the others do not watch a frozen tile (issue 16: 31 s).
  CLOSED_TAB_GRACE_MS: ms(3_000),
  // A call's place whose connection was lost (not closed by the page): the others see "reconnecting".
  CALL_GRACE_MS: ms(30_000),
  IDLE_TIMEOUT_MS: ms(120_000),
  REAPER_INTERVAL_MS: ms(1_000),
  HEARTBEAT_INTERVAL_MS: ms(3_000),
  INSTANCE_TTL_MS: ms(10_000),
  ORPHAN_GRACE_MS: ms(12_000),
  PUBLIC_ORIGINS: csv("").pipe(z.array(origin)),
  TRUST_PROXY: csv("").refine((hops) => {
    try {
      compileTrust(hops);
      return true;
    } catch {
      return false;
    }
  }, "each entry is loopback, linklocal, uniquelocal, an IP address or a CIDR block"),
  TRUST_PROXY_SECRET: z
    .string()
    .default("")
    // Written into nginx's config as a quoted value: no quote, `$`, `;` or space.
    .refine(
      (secret) => secret === "" || /^[\w.~+/=-]{16,256}$/.test(secret),
      "16 to 256 characters of A-Z a-z 0-9 _ . ~ + / = -",
    ),
  SESSION_CLAIMS_PER_MIN: z.coerce.number().int().min(1).default(60),
  LIVE_STREAMS_PER_ADDRESS: z.coerce.number().int().min(1).default(20),
  CLIENT_DIST: z.string().default(defaultClientDist),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  MESSAGE_RATE_PER_10S: z.coerce.number().int().min(1).default(20),
  // Live sessions (names held) one client address may have at once: a campus behind one NAT, far above it.
  SESSIONS_PER_ADDRESS: z.coerce.number().int().min(1).default(1000),
  // An address holding this many live sessions (counted at each claim) is crowded: its sessions' room
  // messages, typing, reactions, edits, moves and presence changes also spend the address's budgets,
  // those connected before the claim that crowded it included (realtime/crowded.ts).
  ADDRESS_CROWDED_SESSIONS: z.coerce.number().int().min(1).default(4),
  // A crowded address's budgets, in sessions' worth of each family (limit-families.ts, ADDRESS_FAMILIES):
  // all its crowded sessions together send at most this many sessions' budgets (docs/security.md).
  ADDRESS_RATE_SESSIONS: z.coerce.number().int().min(1).default(10),
  RATE_LIMITS: rateLimitOverrides,
  OUTBOUND_BUFFER_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(256 * 1024)
    .default(4 * 1024 * 1024),
  CALL_RING_TIMEOUT_MS: ms(30_000),
  // A pair's private history lasts this long after its last message (7 days).
  PRIVATE_HISTORY_TTL_MS: ms(7 * 24 * 3600 * 1000),
  FLOOD_REFUSALS: z.coerce.number().int().min(1).default(200),
  // All sessions from one client address together: an office behind one NAT, far above honest use.
  FLOOD_ADDRESS_REFUSALS: z.coerce.number().int().min(1).default(2000),
  FLOOD_WINDOW_MS: ms(10_000),
  FLOOD_COOLDOWN_MS: ms(10_000),
  MAX_CONNECTIONS_PER_SESSION: z.coerce.number().int().min(1).max(1000).default(8),
  // Default depends on JANUS_URLS (below): 50 through an SFU, 6 for a mesh.
  GROUP_CALL_MAX: z.coerce.number().int().min(2).max(200).optional(),
  JANUS_URLS: csv("").pipe(
    z.array(z.string().regex(/^wss?:\/\/\S+$/, "Janus WebSocket API URLs start with ws:// or wss://")),
  ),
  JANUS_API_SECRET: z.string().default(""),
  // Read at start when JANUS_API_SECRET is unset (Compose: the secret the janus service generated).
  JANUS_API_SECRET_FILE: z.string().default(""),
  STUN_URLS: csv(""),
  TURN_URLS: csv(""),
  TURN_SECRET: z.string().default(""),
  TURN_USERNAME: z.string().default(""),
  TURN_CREDENTIAL: z.string().default(""),
  // At most an hour: a credential works for anyone holding it until it expires, even after its call,
  // and its holder's place among its address's (TURN_USERS_PER_ADDRESS) stays taken until then. Calls
  // renew at half the remaining lifetime, so 10 min costs a call a fetch (and a relayed path an ICE
  // restart) every 5 min, and a place a leaver held frees within 10 min (docs/security.md).
  TURN_TTL_S: z.coerce.number().int().min(60).max(3600).default(600),
  // The relay's size, as its coturn is configured: `user-quota` (allocations per user) and `total-quota`
  // (in all). The server cannot ask coturn; the two must be told the same numbers (Compose and the
  // native cluster set both sides from one place).
  TURN_USER_QUOTA: z.coerce.number().int().min(1).default(24),
  TURN_TOTAL_QUOTA: z.coerce.number().int().min(1).default(2400),
  // coturn's `max-allocate-lifetime` (its default 3600): an allocation refreshed just before its
  // credential expires holds its place in the quotas this long after, so its holder's place is held as long.
  TURN_MAX_ALLOCATE_LIFETIME_S: z.coerce.number().int().min(60).max(86_400).default(3600),
  // People (sessions) from one client address holding live TURN credentials at once. Default: as many as
  // fill half the relay (TURN_TOTAL_QUOTA / 2 / TURN_USER_QUOTA, 50 at the defaults: a campus's calls at a
  // busy hour); more is refused at start, so one address never takes more than half of the relay.
  TURN_USERS_PER_ADDRESS: z.coerce.number().int().min(1).optional(),
  // A file transfer's TURN credentials: its offer lives 2 min and its connection allocates at once; a
  // relay needs the credential again only to refresh (coturn: every 10 min), so 100 MB at 1 Mbit/s
  // (13 min) still finishes.
  FILE_TURN_TTL_S: z.coerce.number().int().min(60).max(3600).default(900),
  ICE_TRANSPORT_POLICY: z.enum(["all", "relay"]).default("all"),
  /** The largest file a private chat may send peer to peer, in MB (the bytes never reach the server). */
  FILE_MAX_MB: z.coerce.number().int().min(1).max(4096).default(100),
  SHUTDOWN_TIMEOUT_MS: ms(10_000),
  // 0: no metrics listener. Never the public port: nginx must not reach it.
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  METRICS_HOST: z.string().default("0.0.0.0"),
  METRICS_TOKEN: z.string().default(""),
});

/** Every environment variable the server reads (compose files and docs must use only these). */
export const CONFIG_KEYS = Object.keys(ConfigSchema.shape) as (keyof typeof ConfigSchema.shape)[];

export type Config = {
  port: number;
  host: string;
  instanceId: string;
  /** A single Redis (`redis://:password@host:port`); empty with no sentinels selects the memory Store. */
  redisUrl: string;
  /** Redis through Sentinel instead of REDIS_URL (the primary is asked of the sentinels at each connect). */
  redisSentinel: RedisSentinelConfig | null;
  redisPrefix: string;
  rooms: string[];
  sessionGraceMs: number;
  /**
   * How long a call keeps the place of a participant whose page closed its connection (a closed tab,
   * a reload; not a lost network) before taking them out with "left"; at most sessionGraceMs. A
   * reloaded page comes back well within it.
   */
  closedTabGraceMs: number;
  /**
   * How long a call keeps the place of a participant whose connection was lost (ping timeout, transport
   * error) before taking them out with "connection lost"; at most sessionGraceMs.
   */
  callGraceMs: number;
  idleTimeoutMs: number;
  reaperIntervalMs: number;
  /** How often an instance says it is alive, and how long silence means it is dead. */
  heartbeatIntervalMs: number;
  instanceTtlMs: number;
  /**
   * Grace for sessions whose instance died, counted from its last heartbeat (capped by sessionGraceMs):
   * their clients reconnect within seconds, so the rooms are exact again well within 15 s.
   */
  orphanGraceMs: number;
  /**
   * The exact origins (e.g. `https://chat.example.com`) whose pages may open a socket. Empty: only
   * same-origin pages on a host that cannot be rebound (localhost, an IP literal, this machine's name).
   */
  publicOrigins: string[];
  /**
   * The proxies in front (proxy-addr names, addresses, CIDR blocks). Only a request from one of them
   * has its X-Forwarded-For/-Host/-Proto read; empty means none is trusted.
   */
  trustProxy: string[];
  /**
   * When set, the proxy must also prove itself: X-Forwarded-* count only on a request that carries
   * `X-Proxy-Secret: <this>` (nginx sets it). A peer address alone proves nothing on a shared host: any
   * local process can send from 127.0.0.3 (TRUST_PROXY_SECRET).
   */
  trustProxySecret: string | undefined;
  /** GET /api/rooms/live streams one client address may hold open on one instance (each is a connection). */
  liveStreamsPerAddress: number;
  clientDist: string;
  /** The largest file offered peer to peer in a private chat, in bytes (FILE_MAX_MB). */
  fileMaxBytes: number;
  logLevel: z.infer<typeof ConfigSchema>["LOG_LEVEL"];
  /** Every event family's per-user budget (defaults, MESSAGE_RATE_PER_10S, then RATE_LIMITS). */
  rateLimits: Record<LimitFamily, RateLimit>;
  /** Bytes a connection may have waiting to be sent before it counts as not reading and is cut. */
  outboundBufferMaxBytes: number;
  callRingTimeoutMs: number;
  /** How long a pair's private history is kept after its last message (PRIVATE_HISTORY_TTL_MS). */
  privateHistoryMs: number;
  /**
   * A connection refused `refusals` times (over a limit, or bad input) within `windowMs` is closed,
   * and its session may not attach again, on any instance, for `cooldownMs` (keep it below the grace).
   */
  /**
   * Refusals within windowMs past which connections are cut: `refusals` per connection and per
   * session (all its tabs, cluster-wide), `addressRefusals` per client address (all its sessions).
   */
  flood: { refusals: number; addressRefusals: number; windowMs: number; cooldownMs: number };
  /** Tabs (connections) one session may hold open at once. */
  maxConnectionsPerSession: number;
  /**
   * Per client address: `sessions` live sessions at most (a claim past it is refused); an address
   * holding `crowdedAt` live sessions when a session is claimed makes that session crowded (its events
   * also spend the address's budgets, `<family>-address`).
   */
  addressSessions: { max: number; crowdedAt: number };
  /**
   * Participants of one group call: a full mesh stops working on ordinary machines beyond about six
   * (default 6); through an SFU every sender uploads once (default 50).
   */
  groupCallMax: number;
  /**
   * The Janus nodes group calls run through (docs/sfu.md): their WebSocket API URLs and the API
   * secret they share. No URL: group calls are a mesh. Browsers never see the secret.
   */
  janus: { urls: string[]; apiSecret: string };
  ice: {
    stunUrls: string[];
    turnUrls: string[];
    /** coturn `use-auth-secret`: short-lived credentials derived per user. */
    turnSecret: string;
    /** Static TURN credentials, used when no secret is set. */
    turnUsername: string;
    turnCredential: string;
    turnTtlSeconds: number;
    /**
     * Users from one client address (IPv6: its /64) that may hold live TURN credentials at once: each
     * may take coturn's user-quota of allocations, so this bounds one address's share of its total-quota
     * (at most half: turnUsersPerAddress × TURN_USER_QUOTA ≤ TURN_TOTAL_QUOTA / 2, checked at start).
     */
    turnUsersPerAddress: number;
    /** The relay's coturn quotas as told (TURN_USER_QUOTA, TURN_TOTAL_QUOTA): allocations per user, in all. */
    relayQuota: { user: number; total: number };
    /**
     * coturn's max-allocate-lifetime (TURN_MAX_ALLOCATE_LIFETIME_S), in seconds: how long past its
     * credential's expiry an allocation may live (refreshed just before), taking its share of the quotas.
     */
    maxAllocateLifetimeSeconds: number;
    /** A file transfer's credentials live this long (FILE_TURN_TTL_S), not a call's turnTtlSeconds. */
    fileTurnTtlSeconds: number;
    /**
     * RTCConfiguration.iceTransportPolicy for every call (W3C webrtc-pc): "relay" sends media only
     * through TURN, so neither side learns the other's addresses; "all" also tries direct paths.
     */
    transportPolicy: IceTransportPolicy;
  };
  /** A signalled process exits within this, whatever Redis does (work left undone is logged). */
  shutdownTimeoutMs: number;
  /**
   * The operator's Prometheus endpoint: `GET /metrics` on its own listener (port 0: none), answered
   * only with `Authorization: Bearer <token>` when a token is set.
   */
  metrics: { port: number; host: string; token: string };
};

/** Redis reached through Sentinel (REDIS_SENTINELS and the settings beside it). */
export interface RedisSentinelConfig {
  sentinels: { host: string; port: number }[];
  /** The monitored primary's name (`sentinel monitor <name> …`). */
  name: string;
  /** The data nodes' password (requirepass), and the sentinels' own; empty for none. */
  password: string;
  sentinelPassword: string;
  /**
   * "wait": an acknowledged write is on a replica too (WAIT 1 after the Store's writes, before the ack);
   * "off": acks follow the primary alone (what a failover may lose).
   */
  replicaAck: "wait" | "off";
  /** How long a write may wait for a replica (WAIT, repeated) before it is refused as retryable. */
  replicaTimeoutMs: number;
}

function sentinelConfig(c: z.infer<typeof ConfigSchema>): RedisSentinelConfig | null {
  if (c.REDIS_SENTINELS.length === 0) return null;
  return {
    sentinels: c.REDIS_SENTINELS,
    name: c.REDIS_SENTINEL_NAME,
    password: c.REDIS_PASSWORD,
    sentinelPassword: c.REDIS_SENTINEL_PASSWORD,
    replicaAck: c.REDIS_REPLICA_ACK,
    replicaTimeoutMs: c.REDIS_REPLICA_TIMEOUT_MS,
  };
}

/** Whether the instance keeps its state in Redis (a single one, or through Sentinel). */
export const usesRedis = (config: Pick<Config, "redisUrl" | "redisSentinel">): boolean =>
  Boolean(config.redisUrl || config.redisSentinel);

/** The secret in `file` (surrounding whitespace dropped); "" without a file. */
function janusSecretFromFile(file: string): string {
  if (!file) return "";
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    throw new Error(`Invalid configuration:\n  JANUS_API_SECRET_FILE: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** One client address's share of the relay: at most this fraction of its total-quota. */
export const RELAY_SHARE_PER_ADDRESS = 1 / 2;

/**
 * TURN_USERS_PER_ADDRESS, or by default as many users as fill RELAY_SHARE_PER_ADDRESS of the relay
 * (TURN_TOTAL_QUOTA) at TURN_USER_QUOTA each. Throws when that is under one user, or when the value set
 * would let one address's holders take more than that share.
 */
function turnUsersPerAddressOf(c: z.infer<typeof ConfigSchema>): number {
  const share = Math.floor((c.TURN_TOTAL_QUOTA * RELAY_SHARE_PER_ADDRESS) / c.TURN_USER_QUOTA);
  const relay = `TURN_TOTAL_QUOTA ${c.TURN_TOTAL_QUOTA} at TURN_USER_QUOTA ${c.TURN_USER_QUOTA} each`;
  if (share < 1)
    throw new Error(
      `Invalid configuration:\n  TURN_TOTAL_QUOTA: ${relay} holds no user within half of it: raise coturn's total-quota (and TURN_TOTAL_QUOTA) to at least ${2 * c.TURN_USER_QUOTA}, or lower its user-quota`,
    );
  const set = c.TURN_USERS_PER_ADDRESS;
  if (set !== undefined && set > share)
    throw new Error(
      `Invalid configuration:\n  TURN_USERS_PER_ADDRESS: ${set} users of one address could take ${set * c.TURN_USER_QUOTA} relay allocations, more than half of ${relay}: at most ${share}`,
    );
  return set ?? share;
}

/** Empty strings count as unset, so `REDIS_URL=` selects the memory store like an absent variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  const c = parsed.data;
  if (c.REDIS_URL && c.REDIS_SENTINELS.length > 0) {
    throw new Error(
      "Invalid configuration:\n  REDIS_URL and REDIS_SENTINELS: set one (a single Redis, or Sentinel's primary)",
    );
  }
  // The file only matters with nodes to reach: a mesh deployment may keep the setting without the file.
  const janusApiSecret =
    c.JANUS_API_SECRET || (c.JANUS_URLS.length > 0 ? janusSecretFromFile(c.JANUS_API_SECRET_FILE) : "");
  if (c.JANUS_URLS.length > 0 && !janusApiSecret) {
    throw new Error(
      "Invalid configuration:\n  JANUS_API_SECRET: JANUS_URLS needs the nodes' API secret (or JANUS_API_SECRET_FILE)",
    );
  }
  if (c.ICE_TRANSPORT_POLICY === "relay" && c.TURN_URLS.length === 0) {
    throw new Error(
      "Invalid configuration:\n  ICE_TRANSPORT_POLICY: relay needs TURN_URLS (no call could connect)",
    );
  }
  const turnUsersPerAddress = turnUsersPerAddressOf(c);
  return {
    port: c.PORT,
    host: c.HOST,
    instanceId: c.INSTANCE_ID,
    redisUrl: c.REDIS_URL,
    redisSentinel: sentinelConfig(c),
    redisPrefix: c.REDIS_PREFIX,
    rooms: c.ROOMS,
    sessionGraceMs: c.SESSION_GRACE_MS,
    closedTabGraceMs: Math.min(c.CLOSED_TAB_GRACE_MS, c.SESSION_GRACE_MS),
    callGraceMs: Math.min(c.CALL_GRACE_MS, c.SESSION_GRACE_MS),
    idleTimeoutMs: c.IDLE_TIMEOUT_MS,
    reaperIntervalMs: c.REAPER_INTERVAL_MS,
    heartbeatIntervalMs: c.HEARTBEAT_INTERVAL_MS,
    instanceTtlMs: c.INSTANCE_TTL_MS,
    orphanGraceMs: Math.min(c.ORPHAN_GRACE_MS, c.SESSION_GRACE_MS),
    publicOrigins: c.PUBLIC_ORIGINS,
    trustProxy: c.TRUST_PROXY,
    trustProxySecret: c.TRUST_PROXY_SECRET || undefined,
    liveStreamsPerAddress: c.LIVE_STREAMS_PER_ADDRESS,
    clientDist: c.CLIENT_DIST,
    fileMaxBytes: c.FILE_MAX_MB * 1024 * 1024,
    logLevel: c.LOG_LEVEL,
    rateLimits: rateLimitsWith(
      {
        "room-message": { points: c.MESSAGE_RATE_PER_10S, seconds: 10 },
        "session-claim": { points: c.SESSION_CLAIMS_PER_MIN, seconds: 60 },
        ...c.RATE_LIMITS,
      },
      c.ADDRESS_RATE_SESSIONS,
    ),
    outboundBufferMaxBytes: c.OUTBOUND_BUFFER_MAX_BYTES,
    callRingTimeoutMs: c.CALL_RING_TIMEOUT_MS,
    privateHistoryMs: c.PRIVATE_HISTORY_TTL_MS,
    flood: {
      refusals: c.FLOOD_REFUSALS,
      addressRefusals: c.FLOOD_ADDRESS_REFUSALS,
      windowMs: c.FLOOD_WINDOW_MS,
      cooldownMs: c.FLOOD_COOLDOWN_MS,
    },
    maxConnectionsPerSession: c.MAX_CONNECTIONS_PER_SESSION,
    addressSessions: { max: c.SESSIONS_PER_ADDRESS, crowdedAt: c.ADDRESS_CROWDED_SESSIONS },
    groupCallMax: c.GROUP_CALL_MAX ?? (c.JANUS_URLS.length > 0 ? 50 : 6),
    janus: { urls: c.JANUS_URLS, apiSecret: janusApiSecret },
    ice: {
      stunUrls: c.STUN_URLS,
      turnUrls: c.TURN_URLS,
      turnSecret: c.TURN_SECRET,
      turnUsername: c.TURN_USERNAME,
      turnCredential: c.TURN_CREDENTIAL,
      turnTtlSeconds: c.TURN_TTL_S,
      turnUsersPerAddress,
      relayQuota: { user: c.TURN_USER_QUOTA, total: c.TURN_TOTAL_QUOTA },
      maxAllocateLifetimeSeconds: c.TURN_MAX_ALLOCATE_LIFETIME_S,
      fileTurnTtlSeconds: c.FILE_TURN_TTL_S,
      transportPolicy: c.ICE_TRANSPORT_POLICY,
    },
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
    metrics: { port: c.METRICS_PORT, host: c.METRICS_HOST, token: c.METRICS_TOKEN },
  };
}
