// A real Janus (Debian's `janus`) on loopback with only what the app uses: the WebSocket API (with an
// API secret) and the VideoRoom plugin, for `npm run cluster` and the tests. Its config directory is
// rendered from the templates in janus/ (the Compose image renders the same ones); plugins and
// transports come in through a folder of symlinks, so Janus loads nothing else it finds in the system
// folders.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
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
  /** The address Janus puts in its ICE candidates instead of its own (nat_1_1_mapping); none when omitted. */
  publicIp?: string;
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

/** Every placeholder of the templates in janus/ (janus/docker-entrypoint.sh renders the same ones). */
export const JANUS_PLACEHOLDERS = [
  "JANUS_DIR",
  "JANUS_API_SECRET",
  "JANUS_RTP_PORT_RANGE",
  "JANUS_NAT_1_1_MAPPING",
  "JANUS_WS_IP",
  "JANUS_WS_PORT",
] as const;
export type JanusVars = Record<(typeof JANUS_PLACEHOLDERS)[number], string>;

/** The config files Janus reads, each rendered from `janus/<name>.template`. */
export const JANUS_CONFIG_FILES = [
  "janus.jcfg",
  "janus.transport.websockets.jcfg",
  "janus.plugin.videoroom.jcfg",
] as const;

const TEMPLATES = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../janus");

/** Replaces exactly `${NAME}` for the listed names, as `envsubst '${JANUS_DIR} ...'` does in the image. */
export function renderJanusConfig(template: string, vars: JanusVars): string {
  for (const name of JANUS_PLACEHOLDERS) {
    if (typeof vars[name] !== "string") throw new Error(`janus template: no value for ${name}`);
  }
  return template.replace(/\$\{(JANUS_\w+)\}/g, (match, name: string) =>
    (JANUS_PLACEHOLDERS as readonly string[]).includes(name) ? vars[name as keyof JanusVars] : match,
  );
}

/** Reads `janus/<file>.template` and renders it. */
export const renderJanusFile = async (file: (typeof JANUS_CONFIG_FILES)[number], vars: JanusVars) =>
  renderJanusConfig(await readFile(path.join(TEMPLATES, `${file}.template`), "utf8"), vars);

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
  const vars: JanusVars = {
    JANUS_DIR: dir,
    JANUS_API_SECRET: apiSecret,
    JANUS_RTP_PORT_RANGE: options.rtpPortRange ?? "20000-40000",
    JANUS_NAT_1_1_MAPPING: options.publicIp ?? "",
    JANUS_WS_IP: "127.0.0.1",
    JANUS_WS_PORT: String(port),
  };
  for (const file of JANUS_CONFIG_FILES)
    await writeFile(path.join(dir, file), await renderJanusFile(file, vars), { mode: 0o600 });
  // -C names the core config; -F the folder of the others. No daemon, no colours: output is piped.
  const managed = await startProcess("janus", ["-C", path.join(dir, "janus.jcfg"), "-F", dir, "-o"], {
    name: "janus",
    ready: () => accepts(port),
    logFile: options.logFile,
    cwd: dir, // a crash's core file stays in the node's own folder, out of the checkout
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
