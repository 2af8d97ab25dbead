// A real coturn (Debian's `turnserver`) on loopback with coturn's `use-auth-secret` (the TURN REST API
// convention the server's iceServersFor follows), for `npm run cluster` and the tests. Everything it
// writes (config, pid file, user database, log) stays in its own directory.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { TURN_RELAY_ADDRESS, TURN_TOTAL_QUOTA, TURN_USER_QUOTA } from "./turn-peers.js";
import { accepts, freePort, hasBinary, requireBinary, startProcess, type Managed } from "./processes.js";

const LOG_FILE = "turnserver.log";

export const COTURN_INSTALL = "apt-get install -y coturn (Debian/Ubuntu) or brew install coturn (macOS)";

export interface CoturnOptions {
  /** Config, pid file, user database and log go here (created when missing). */
  dir: string;
  /** The listening port (UDP and TCP); a free one when omitted. */
  port?: number;
  /** The shared secret the app instances get as TURN_SECRET; a fresh random one when omitted. */
  secret?: string;
  realm?: string;
  /** Relay allocations per user and in all (TURN_USER_QUOTA, TURN_TOTAL_QUOTA when omitted). */
  quota?: Partial<Quota>;
}

/** coturn's `user-quota` and `total-quota`. */
export interface Quota {
  user: number;
  total: number;
}

/** The native cluster's quotas (turn-peers.ts). */
export const CLUSTER_QUOTA: Quota = { user: TURN_USER_QUOTA, total: TURN_TOTAL_QUOTA };

/**
 * The longest an allocation lives (coturn's `max-allocate-lifetime`; its default is 3600, browsers ask
 * for 600): an allocation refreshed just before its credential expires counts in the quotas this long after.
 */
export const MAX_ALLOCATE_LIFETIME_S = 600;

/**
 * The quotas as an app instance is told them (config.ts: TURN_USER_QUOTA, TURN_TOTAL_QUOTA and
 * TURN_MAX_ALLOCATE_LIFETIME_S).
 */
export const quotaEnv = (quota: Quota) => ({
  TURN_USER_QUOTA: String(quota.user),
  TURN_TOTAL_QUOTA: String(quota.total),
  TURN_MAX_ALLOCATE_LIFETIME_S: String(MAX_ALLOCATE_LIFETIME_S),
});

export interface Coturn extends Managed {
  port: number;
  secret: string;
  realm: string;
  /** TURN over UDP and over TCP, as the instances' TURN_URLS lists them. */
  urls: string[];
  /**
   * What an app instance needs to hand out credentials for this server, and this server's quotas (the
   * instances bound each client address's credential holders by them: config.ts, TURN_USERS_PER_ADDRESS).
   */
  env: { TURN_URLS: string; TURN_SECRET: string } & ReturnType<typeof quotaEnv>;
  /** coturn's log so far (its own file; output() holds only what it printed before logging started). */
  log(): string;
  /** Relay allocations coturn granted so far (each "ALLOCATE processed, success" in its log). */
  allocations(): number;
}

/** True when coturn's `turnserver` is on PATH (Debian's package puts it in /usr/bin). */
export const coturnInstalled = (): boolean => hasBinary("turnserver");

/**
 * coturn's options (turnserver(1)). Listening on 127.0.0.1 and relaying from TURN_RELAY_ADDRESS only,
 * since both browsers of a test and the relay all live on this machine. Peers: that address alone
 * (`allowed-peer-ip` is checked before `denied-peer-ip`, which denies everything else, IPv4 and IPv6),
 * so a relay reaches other relays and no service on the host. Quotas per user and in all. No TLS (no
 * certificate here), no telnet CLI, no RFC 5780 second port that could collide with another process.
 */
export function configFile(dir: string, port: number, secret: string, realm: string, quota: Quota): string {
  return [
    `listening-ip=127.0.0.1`,
    `relay-ip=${TURN_RELAY_ADDRESS}`,
    `listening-port=${port}`,
    `realm=${realm}`,
    `use-auth-secret`,
    `static-auth-secret=${secret}`,
    `user-quota=${quota.user}`,
    `total-quota=${quota.total}`,
    `max-allocate-lifetime=${MAX_ALLOCATE_LIFETIME_S}`,
    // Loopback peers are refused before the lists are read unless allowed; then only the relay address is.
    `allow-loopback-peers`,
    `allowed-peer-ip=${TURN_RELAY_ADDRESS}`,
    `denied-peer-ip=0.0.0.0-255.255.255.255`,
    `denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff`,
    `fingerprint`,
    `no-tls`,
    `no-dtls`,
    `no-cli`,
    `no-rfc5780`,
    `no-software-attribute`,
    `no-multicast-peers`,
    `pidfile=${path.join(dir, "turnserver.pid")}`,
    `userdb=${path.join(dir, "turndb")}`,
    // A file, not stdout: into a pipe coturn's stdout is block-buffered and would say nothing for minutes.
    `log-file=${path.join(dir, LOG_FILE)}`,
    `simple-log`,
    `no-stdout-log`,
    `verbose`, // logs each request: allocations are how a test sees that coturn relayed
    "",
  ].join("\n");
}

/** Starts turnserver and resolves once it accepts connections; throws with an install hint when missing. */
export async function startCoturn(options: CoturnOptions): Promise<Coturn> {
  requireBinary("turnserver", COTURN_INSTALL);
  await mkdir(options.dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const secret = options.secret ?? randomBytes(24).toString("base64url");
  const realm = options.realm ?? "videochat.local";
  // The secret goes into a file of the run's own directory, not onto the command line (`ps` shows that).
  const conf = path.join(options.dir, "turnserver.conf");
  const quota = { ...CLUSTER_QUOTA, ...options.quota };
  await writeFile(conf, configFile(options.dir, port, secret, realm, quota), { mode: 0o600 });
  const managed = await startProcess("turnserver", ["-c", conf], {
    name: "turnserver",
    ready: () => accepts(port),
  });
  const urls = [`turn:127.0.0.1:${port}?transport=udp`, `turn:127.0.0.1:${port}?transport=tcp`];
  const logFile = path.join(options.dir, LOG_FILE);
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  return {
    ...managed,
    port,
    secret,
    realm,
    urls,
    env: { TURN_URLS: urls.join(","), TURN_SECRET: secret, ...quotaEnv(quota) },
    log,
    allocations: () => log().match(/ALLOCATE processed, success/g)?.length ?? 0,
  };
}
