// nginx for the native cluster and the tests: renders nginx/nginx.conf.template, checks it, runs it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { accepts } from "./processes.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const NGINX_TEMPLATE_PATH = path.join(root, "nginx/nginx.conf.template");

/** Every placeholder of the template; Docker Compose must define each one (Dockerfile.client has defaults). */
export const NGINX_PLACEHOLDERS = [
  "NGINX_PORT",
  "NGINX_UPSTREAMS",
  "NGINX_ROOT",
  "NGINX_PID",
  "NGINX_ERROR_LOG",
  "NGINX_ACCESS_LOG",
  "NGINX_TEMP",
  "NGINX_PROXY_BIND",
  "NGINX_PROXY_SECRET",
] as const;
export type NginxPlaceholder = (typeof NGINX_PLACEHOLDERS)[number];
export type NginxVars = Record<NginxPlaceholder, string>;

const INSTALL_HINT =
  "nginx is not installed: apt-get install -y nginx (Debian/Ubuntu) or brew install nginx (macOS)";

/** Replaces exactly `${NAME}` for the listed names, as the official image's envsubst does for them. */
export function renderNginxConfig(vars: NginxVars, template?: string): string {
  const source = template ?? readFileSync(NGINX_TEMPLATE_PATH, "utf8");
  for (const name of NGINX_PLACEHOLDERS) {
    if (typeof vars[name] !== "string") throw new Error(`nginx template: no value for ${name}`);
  }
  const rendered = source.replace(/\$\{(NGINX_\w+)\}/g, (match, name: string) =>
    (NGINX_PLACEHOLDERS as readonly string[]).includes(name) ? vars[name as NginxPlaceholder] : match,
  );
  const unknown = rendered.match(/\$\{NGINX_\w+\}/g);
  if (unknown) throw new Error(`nginx template: unknown placeholder ${[...new Set(unknown)].join(", ")}`);
  return rendered;
}

/**
 * The loopback address the native cluster's nginx connects to the instances from (`proxy_bind`), and
 * the only one the instances trust X-Forwarded-For from (TRUST_PROXY): any other local process that
 * reaches an instance directly comes from 127.0.0.1 and is charged to its own address.
 */
export const NGINX_PROXY_ADDRESS = "127.0.0.3";

/**
 * A fresh secret nginx sends the instances as `X-Proxy-Secret` (their TRUST_PROXY_SECRET): the address
 * alone proves nothing, since any local process may send from 127.0.0.3 too.
 */
export const newProxySecret = (): string => randomBytes(24).toString("base64url");

export interface Upstream {
  host: string;
  port: number;
}

/** One `server` line per instance; one failure takes it out for 5 s, then nginx tries it again. */
export function upstreamLines(servers: readonly Upstream[]): string {
  if (servers.length === 0) throw new Error("nginx needs at least one upstream server");
  return servers
    .map(({ host, port }) => `server ${host}:${port} max_fails=1 fail_timeout=5s;`)
    .join("\n        ");
}

export interface NativeNginx {
  /** nginx's prefix (`-p`): holds the config, pid, logs and temp directories. */
  dir: string;
  confPath: string;
  pidPath: string;
  errorLogPath: string;
  accessLogPath: string;
  tempDir: string;
  port: number;
  url: string;
}

/**
 * Writes a config for a native run on 127.0.0.1:`port` under `dir`. nginx creates the temp
 * subdirectories itself (and, as root, hands them to its workers' user, `nobody`); as root, the
 * prefix and the SPA must also be reachable by `nobody`, which this checks up front.
 */
export async function writeNativeNginxConfig(options: {
  dir: string;
  port: number;
  upstreams: readonly Upstream[];
  /** The built SPA (client/dist). */
  root: string;
  /** The template's text, when a test renders a variant of it (nginx/nginx.conf.template by default). */
  template?: string;
  /** What nginx sends as X-Proxy-Secret (the instances' TRUST_PROXY_SECRET); a fresh one when omitted. */
  proxySecret?: string;
}): Promise<NativeNginx> {
  const dir = path.resolve(options.dir);
  const spa = path.resolve(options.root);
  const tempDir = path.join(dir, "temp");
  const logDir = path.join(dir, "logs");
  await mkdir(logDir, { recursive: true });
  await mkdir(tempDir, { recursive: true });
  await chmod(dir, 0o755);
  await chmod(tempDir, 0o755);
  if (process.getuid?.() === 0) {
    await requireReachableByOthers(tempDir);
    await requireReachableByOthers(spa);
  }
  const native: NativeNginx = {
    dir,
    confPath: path.join(dir, "nginx.conf"),
    pidPath: path.join(dir, "nginx.pid"),
    errorLogPath: path.join(logDir, "error.log"),
    accessLogPath: path.join(logDir, "access.log"),
    tempDir,
    port: options.port,
    url: `http://127.0.0.1:${options.port}`,
  };
  const conf = renderNginxConfig(
    {
      NGINX_PORT: `127.0.0.1:${options.port}`,
      NGINX_UPSTREAMS: upstreamLines(options.upstreams),
      NGINX_ROOT: spa,
      NGINX_PID: native.pidPath,
      NGINX_ERROR_LOG: native.errorLogPath,
      NGINX_ACCESS_LOG: native.accessLogPath,
      NGINX_TEMP: tempDir,
      NGINX_PROXY_BIND: NGINX_PROXY_ADDRESS,
      NGINX_PROXY_SECRET: options.proxySecret ?? newProxySecret(),
    },
    options.template,
  );
  // It holds the proxy secret: readable by its owner (nginx's master) only.
  await writeFile(native.confPath, conf, { mode: 0o600 });
  return native;
}

/** nginx's workers run as `nobody` under a root master: every directory up to `target` must let them in. */
async function requireReachableByOthers(target: string): Promise<void> {
  for (let current = target; ; current = path.dirname(current)) {
    const mode = (await stat(current).catch(() => undefined))?.mode;
    if (mode !== undefined && (mode & 0o001) === 0) {
      throw new Error(
        `${current} is closed to other users, so nginx's workers (nobody, as the master runs as root) cannot reach ${target}: chmod o+x ${current}, or run as another user`,
      );
    }
    if (current === path.dirname(current)) return;
  }
}

/** Throws with an install hint when nginx is not on PATH: tests that need it fail, they do not skip. */
export function requireNginx(): void {
  const probe = spawnSync("nginx", ["-v"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) throw new Error(INSTALL_HINT);
}

/** `nginx -t` on a config; `prefix` defaults to the config's directory. */
export function checkNginxConfig(
  confPath: string,
  prefix = path.dirname(confPath),
): { ok: boolean; output: string } {
  requireNginx();
  // Output to a file, not a Node pipe: a config logging to /dev/stderr (as in Docker) must be able to
  // open it, and /proc/self/fd/2 cannot be opened when it is a socket, which Node's pipes are.
  mkdirSync(path.join(prefix, "logs"), { recursive: true });
  const outPath = path.join(prefix, "nginx-t.out");
  const fd = openSync(outPath, "w");
  let status: number | null;
  try {
    status = spawnSync("nginx", nginxArgs(confPath, prefix, ["-t"]), { stdio: ["ignore", fd, fd] }).status;
  } finally {
    closeSync(fd);
  }
  const output = readFileSync(outPath, "utf8");
  rmSync(outPath, { force: true });
  return { ok: status === 0, output };
}

// `-e`: errors before the config's error_log is open go here, not to the compiled-in path (which
// only root may write).
const startupLog = (prefix: string) => path.join(prefix, "logs/startup.log");
function nginxArgs(confPath: string, prefix: string, extra: string[]): string[] {
  return ["-p", `${prefix}/`, "-c", confPath, "-e", startupLog(prefix), ...extra];
}

export interface NginxProcess {
  child: ChildProcess;
  url: string;
  /** What nginx printed and logged as errors so far, for failure messages and assertions. */
  output(): Promise<string>;
  /** Graceful stop (SIGQUIT), then SIGTERM, then SIGKILL; resolves when the master has exited. */
  stop(): Promise<void>;
}

/** Starts nginx in the foreground on a written config and waits until its port accepts connections. */
export async function startNginx(
  native: NativeNginx,
  options: { timeoutMs?: number } = {},
): Promise<NginxProcess> {
  requireNginx();
  await mkdir(path.join(native.dir, "logs"), { recursive: true });
  const child = spawn("nginx", nginxArgs(native.confPath, native.dir, ["-g", "daemon off;"]), {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let printed = "";
  child.stdout?.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  const exited = once(child, "exit");
  const running = () => child.exitCode === null && child.signalCode === null;
  // A crashed test run must not leave nginx holding its port.
  const orphaned = () => child.kill("SIGKILL");
  process.once("exit", orphaned);
  void exited.then(() => process.off("exit", orphaned));
  const output = async () => {
    const logs = await Promise.all(
      [startupLog(native.dir), native.errorLogPath].map((file) => readFile(file, "utf8").catch(() => "")),
    );
    return [printed, ...logs].join("");
  };

  const stop = async () => {
    for (const [signal, waitMs] of [
      ["SIGQUIT", 3_000],
      ["SIGTERM", 3_000],
      ["SIGKILL", 3_000],
    ] as const) {
      if (!running()) return;
      child.kill(signal);
      const timeout = new Promise((resolve) => setTimeout(resolve, waitMs).unref());
      await Promise.race([exited, timeout]);
    }
  };

  // The pid file is written after the listening sockets are bound: a port that answers before it
  // may belong to someone else.
  const ready = async () =>
    (await readFile(native.pidPath, "utf8").catch(() => "")).trim() === String(child.pid) &&
    (await accepts(native.port));
  const deadline = Date.now() + (options.timeoutMs ?? 30_000); // a bound on a hang, as in startProcess
  while (!(await ready())) {
    if (!running()) throw new Error(`nginx exited early:\n${await output()}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not listen on ${native.port}:\n${await output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { child, url: native.url, output, stop };
}
