// A real Janus (Debian's `janus`) on loopback with only what the app uses: the WebSocket API (with an
// API secret) and the VideoRoom plugin, for `npm run cluster` and the tests. Its config directory is
// generated from the templates below; plugins and transports come in through a folder of symlinks, so
// Janus loads nothing else it finds in the system folders.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { accepts, freePort, hasBinary, startProcess, type Managed } from "./processes.js";

export const JANUS_INSTALL = "apt-get install -y janus (Debian/Ubuntu)";

/** Where Debian's package puts Janus's modules (multiarch: x86_64 or aarch64). */
const MODULE_ROOTS = [
  "/usr/lib/x86_64-linux-gnu/janus",
  "/usr/lib/aarch64-linux-gnu/janus",
  "/usr/lib/janus",
];

export interface JanusOptions {
  /** Config, module links and log go here (created when missing). */
  dir: string;
  /** The WebSocket API port; a free one when omitted. */
  port?: number;
  /** The API secret every request must carry; a fresh random one when omitted. */
  apiSecret?: string;
  /** The UDP range Janus takes media ports from, "min-max"; 20000-40000 when omitted. */
  rtpPortRange?: string;
  /** Append what it prints to this file (memory keeps only a tail). */
  logFile?: string;
}

export interface Janus extends Managed {
  port: number;
  apiSecret: string;
  /** The WebSocket API, as an app instance's JANUS_URLS lists it. */
  url: string;
  /** What an app instance needs to reach this node. */
  env: { JANUS_URLS: string; JANUS_API_SECRET: string };
}

/** True when Janus is on PATH (Debian's package puts it in /usr/bin) and its modules are where we look. */
export const janusInstalled = (): boolean => hasBinary("janus") && moduleRoot() !== undefined;

function moduleRoot(): string | undefined {
  return MODULE_ROOTS.find((root) => existsSync(path.join(root, "plugins", "libjanus_videoroom.so")));
}

/**
 * janus.jcfg. Sessions of a dead app instance time out after 15 s (Janus's default is 60) so its
 * handles do not linger in rooms; ICE stays on loopback and the host's own interfaces (no STUN: every
 * peer of a test is on this machine; a deployment sets nat_1_1_mapping instead, see docs/sfu.md).
 */
function coreConfig(dir: string, modules: string, apiSecret: string, rtpPortRange: string): string {
  return `general: {
  configs_folder = "${dir}"
  plugins_folder = "${path.join(dir, "plugins")}"
  transports_folder = "${path.join(dir, "transports")}"
  events_folder = "${path.join(dir, "none")}"
  loggers_folder = "${path.join(dir, "none")}"
  debug_level = 4
  api_secret = "${apiSecret}"
  session_timeout = 15
  server_name = "videochat"
  protected_folders = ["/bin", "/boot", "/dev", "/etc", "/lib", "/proc", "/sbin", "/sys", "/usr", "/var"]
}
media: {
  rtp_port_range = "${rtpPortRange}"
}
nat: {
  nice_debug = false
  ignore_mdns = true
  ice_ignore_list = "vmnet,docker,veth"
}
plugins: {
}
transports: {
}
events: {
  broadcast = false
}
# Modules come from ${modules}
`;
}

/** The WebSocket transport: plain ws on 127.0.0.1 only; the Admin API stays off. */
const websocketConfig = (port: number) => `general: {
  json = "compact"
  ws = true
  ws_port = ${port}
  ws_ip = "127.0.0.1"
  wss = false
}
admin: {
  admin_ws = false
}
`;

/**
 * The VideoRoom plugin: string room and feed ids, no rooms from config, and the API secret as its admin
 * key: only holders create rooms, and the servers list private rooms for a node's load figure.
 */
const videoroomConfig = (adminKey: string) => `general: {
  string_ids = true
  admin_key = "${adminKey}"
}
`;

/** Starts Janus and resolves once its WebSocket API accepts connections; throws with an install hint. */
export async function startJanus(options: JanusOptions): Promise<Janus> {
  const modules = moduleRoot();
  if (!hasBinary("janus") || !modules)
    throw new Error(`janus is not installed. Install it with: ${JANUS_INSTALL}`);
  const dir = path.resolve(options.dir);
  await rm(path.join(dir, "plugins"), { recursive: true, force: true });
  await rm(path.join(dir, "transports"), { recursive: true, force: true });
  for (const sub of ["plugins", "transports", "none"]) await mkdir(path.join(dir, sub), { recursive: true });
  await symlink(
    path.join(modules, "plugins", "libjanus_videoroom.so"),
    path.join(dir, "plugins", "libjanus_videoroom.so"),
  );
  await symlink(
    path.join(modules, "transports", "libjanus_websockets.so"),
    path.join(dir, "transports", "libjanus_websockets.so"),
  );
  const port = options.port ?? (await freePort());
  const apiSecret = options.apiSecret ?? randomBytes(24).toString("base64url");
  const write = (name: string, text: string) => writeFile(path.join(dir, name), text, { mode: 0o600 });
  await write("janus.jcfg", coreConfig(dir, modules, apiSecret, options.rtpPortRange ?? "20000-40000"));
  await write("janus.transport.websockets.jcfg", websocketConfig(port));
  await write("janus.plugin.videoroom.jcfg", videoroomConfig(apiSecret));
  // -C names the core config; -F the folder of the others. No daemon, no colours: output is piped.
  const managed = await startProcess("janus", ["-C", path.join(dir, "janus.jcfg"), "-F", dir, "-o"], {
    name: "janus",
    ready: () => accepts(port),
    logFile: options.logFile,
  });
  const url = `ws://127.0.0.1:${port}`;
  return { ...managed, port, apiSecret, url, env: { JANUS_URLS: url, JANUS_API_SECRET: apiSecret } };
}

export interface JanusNodes {
  nodes: Janus[];
  /** JANUS_URLS and JANUS_API_SECRET for an app instance that uses every node. */
  env: { JANUS_URLS: string; JANUS_API_SECRET: string };
  /** Stops every node (SIGTERM by default; SIGKILL as a crash would). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** SIGKILL to every node, for when stop() overran its deadline. */
  kill(): void;
}

/** UDP media ports per node: nodes on one machine get ranges of their own. */
const RTP_PORTS_PER_NODE = 2_000;

/**
 * Starts `count` nodes under `dir` (janus-1, janus-2, …) sharing one API secret, as a deployment's
 * nodes share JANUS_API_SECRET. Stops the ones it started when one fails. With `logs`, each node's
 * output goes to `<logs>/janus-<i>.log`.
 */
export async function startJanusNodes(dir: string, count: number, logs?: string): Promise<JanusNodes> {
  const apiSecret = randomBytes(24).toString("base64url");
  const nodes: Janus[] = [];
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    await Promise.all(nodes.map((node) => node.stop(signal)));
  };
  try {
    for (let i = 1; i <= count; i += 1) {
      const low = 20_000 + (i - 1) * RTP_PORTS_PER_NODE;
      const rtpPortRange = `${low}-${low + RTP_PORTS_PER_NODE - 1}`;
      const logFile = logs && path.join(logs, `janus-${i}.log`);
      nodes.push(await startJanus({ dir: path.join(dir, `janus-${i}`), apiSecret, rtpPortRange, logFile }));
    }
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  }
  const env = { JANUS_URLS: nodes.map((node) => node.url).join(","), JANUS_API_SECRET: apiSecret };
  const kill = () => nodes.forEach((node) => node.child.kill("SIGKILL"));
  return { nodes, env, stop, kill };
}
