// The deployment pieces: the nginx template rendered both ways, a real nginx in front of two backends,
// and docker-compose.yml checked against the server's configuration schema.
import { CONFIG_KEYS } from "../src/config.js";
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
} from "node:http";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  checkNginxConfig,
  NGINX_PLACEHOLDERS,
  NGINX_TEMPLATE_PATH,
  renderNginxConfig,
  startNginx,
  upstreamLines,
  writeNativeNginxConfig,
  type NginxProcess,
  type NginxVars,
} from "../../scripts/cluster/nginx.js";
import { loadConfig } from "../src/config.js";
import { JANUS_CONFIG_FILES, JANUS_PLACEHOLDERS } from "../../scripts/cluster/janus.js";
import { SPECIAL_PURPOSE_RANGES } from "../../scripts/cluster/turn-peers.js";
import { CLUSTER_QUOTA, configFile, quotaEnv } from "../../scripts/cluster/coturn.js";
import { freePort } from "./support/ports.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const template = await readFile(NGINX_TEMPLATE_PATH, "utf8");

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "permissions-policy": "camera=(self), microphone=(self), geolocation=()",
  "content-security-policy":
    "default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
};

// ---------------------------------------------------------------------------------------------
// docker-compose.yml and Dockerfile.client, read the way Docker reads them.

interface ComposeService {
  build?: { dockerfile?: string };
  profiles?: string[];
  volumes?: string[];
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
}
interface Compose {
  name?: string;
  services: Record<string, ComposeService>;
  networks: Record<string, { internal?: boolean } | null>;
}

async function readCompose(): Promise<Compose> {
  // Compose honours YAML merge keys (`<<: *app`); the yaml package does when asked.
  return parse(await readFile(path.join(repo, "docker-compose.yml"), "utf8"), { merge: true }) as Compose;
}

/** Compose's interpolation of `${NAME}`, `${NAME:-default}` and `$$`, with nothing set in the shell. */
function interpolate(value: string, shell: Record<string, string> = {}): string {
  return value.replace(/\$\$|\$\{(\w+)(?::-([^}]*))?\}/g, (match, name?: string, fallback?: string) =>
    match === "$$" ? "$" : shell[name!] || (fallback ?? ""),
  );
}

function environmentOf(service: ComposeService): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolate(String(value))]),
  );
}

/** The `ENV KEY=VALUE ...` instructions of a Dockerfile, continuation lines joined. */
async function dockerfileEnv(file: string): Promise<Record<string, string>> {
  const text = (await readFile(path.join(repo, file), "utf8")).replace(/\\\n/g, " ");
  const env: Record<string, string> = {};
  for (const line of text.split("\n").filter((l) => /^ENV\s/.test(l))) {
    for (const [, key, value] of line.matchAll(/(\w+)=(\S+)/g)) env[key!] = value!;
  }
  return env;
}

/** The environment variables the server's config schema knows. */
async function configSchemaKeys(): Promise<string[]> {
  return [...CONFIG_KEYS];
}

/**
 * loadConfig as an instance of the stack runs it: JANUS_API_SECRET_FILE is the janus service's volume,
 * which holds the secret it generated at its first start (here a file of the test's own).
 */
const janusVolume = await mkdtemp(path.join(tmpdir(), "janus-secret-"));
afterAll(() => rm(janusVolume, { recursive: true, force: true }));
const generatedJanusSecret = path.join(janusVolume, "api_secret");
await writeFile(generatedJanusSecret, "0123456789abcdef0123456789abcdef\n");
function loadAppConfig(env: Record<string, string>) {
  return loadConfig(
    env.JANUS_API_SECRET_FILE ? { ...env, JANUS_API_SECRET_FILE: generatedJanusSecret } : env,
  );
}

const isAppService = (service: ComposeService) => service.build?.dockerfile === "Dockerfile.server";

/** The nginx service's environment over Dockerfile.client's defaults, as the container sees it. */
async function nginxContainerEnv(): Promise<Record<string, string>> {
  const compose = await readCompose();
  return { ...(await dockerfileEnv("Dockerfile.client")), ...environmentOf(compose.services.nginx!) };
}

function envsubst(input: string, env: Record<string, string>): string {
  // Exactly what the official image's 20-envsubst-on-templates.sh runs (no NGINX_ENVSUBST_FILTER).
  const defined = Object.keys(env)
    .map((name) => `\${${name}}`)
    .join(" ");
  const result = spawnSync("envsubst", [defined], { input, env, encoding: "utf8" });
  if (result.error) {
    throw new Error(
      "envsubst is not installed: apt-get install -y gettext-base (Debian/Ubuntu) or brew install gettext (macOS)",
    );
  }
  if (result.status !== 0) throw new Error(`envsubst failed: ${result.stderr}`);
  return result.stdout;
}

// ---------------------------------------------------------------------------------------------

describe("nginx template", () => {
  it("uses exactly the listed placeholders, and nginx's own variables cannot collide with them", () => {
    const used = new Set([...template.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual([...NGINX_PLACEHOLDERS].sort());
    // envsubst replaces `$NAME` too: nginx variables are lower case, environment names are not.
    const nginxVariables = [...template.matchAll(/\$([A-Za-z_]\w*)/g)].map((m) => m[1]!);
    expect(nginxVariables.filter((name) => name !== name.toLowerCase())).toEqual([]);
  });

  it("refuses a missing value and an unknown placeholder", () => {
    const vars = Object.fromEntries(NGINX_PLACEHOLDERS.map((name) => [name, "x"])) as NginxVars;
    expect(() => renderNginxConfig({ ...vars, NGINX_ROOT: undefined as unknown as string })).toThrow(
      /NGINX_ROOT/,
    );
    expect(() => renderNginxConfig(vars, "${NGINX_PORT} ${NGINX_WHATEVER}")).toThrow(/NGINX_WHATEVER/);
    expect(renderNginxConfig(vars, "listen ${NGINX_PORT}; $host ${HOME}")).toBe("listen x; $host ${HOME}");
  });

  it("renders for the native layout and passes nginx -t", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "videochat-nginx-t-"));
    try {
      const native = await writeNativeNginxConfig({
        dir,
        port: await freePort(),
        upstreams: [
          { host: "127.0.0.1", port: 3001 },
          { host: "127.0.0.1", port: 3002 },
        ],
        root: path.join(repo, "client/dist"),
      });
      const check = checkNginxConfig(native.confPath);
      expect(check.output).toMatch(/test is successful/);
      expect(check.ok).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("renders the Docker way (envsubst over compose + Dockerfile.client env) and passes nginx -t", async () => {
    const env = await nginxContainerEnv();
    for (const name of NGINX_PLACEHOLDERS) expect(env[name], name).toBeTruthy();
    // The image's own environment is in scope for envsubst too (PATH is ours, to find envsubst).
    const imageEnv = {
      PATH: process.env.PATH ?? "",
      HOME: "/",
      HOSTNAME: "web",
      NGINX_VERSION: "1.30",
      ...env,
    };
    const rendered = envsubst(template, imageEnv);
    expect(rendered).toBe(renderNginxConfig(env as NginxVars));
    expect(rendered).toContain("listen 8080;");
    expect(rendered).toMatch(/server app1:3000 max_fails=1 fail_timeout=5s;\s+server app2:3000/);

    // nginx -t resolves upstream names and creates the temp dirs and pid file: point those at this host.
    const dir = await mkdtemp(path.join(tmpdir(), "videochat-nginx-docker-"));
    try {
      const local = renderNginxConfig({
        ...(env as NginxVars),
        NGINX_UPSTREAMS: env.NGINX_UPSTREAMS!.replace(/server [\w.-]+:/g, "server 127.0.0.1:"),
        NGINX_PID: path.join(dir, "nginx.pid"),
        NGINX_TEMP: dir,
      });
      await writeFile(path.join(dir, "nginx.conf"), local);
      const check = checkNginxConfig(path.join(dir, "nginx.conf"));
      expect(check.output).toMatch(/test is successful/);
      expect(check.ok).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// A real nginx in front of two plain HTTP servers standing in for the instances.

/** More than loopback socket buffers and nginx's proxy buffers hold: a slow reader makes it spill to disk. */
const BIG_RESPONSE = 16 * 1024 * 1024;

/** Reads a response only after `pauseMs`, as a slow client would. */
async function slowRead(url: string, pauseMs: number): Promise<{ status: number; bytes: number }> {
  const req = request(url);
  req.end();
  const [res] = (await once(req, "response")) as [IncomingMessage];
  res.pause();
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  let bytes = 0;
  res.on("data", (chunk: Buffer) => (bytes += chunk.length));
  res.resume();
  await once(res, "end");
  return { status: res.statusCode ?? 0, bytes };
}

interface Backend {
  name: string;
  port: number;
  server: Server;
  /** Headers of the last request it answered. */
  lastHeaders?: IncomingHttpHeaders;
  stop(): Promise<void>;
}

async function startBackend(name: string): Promise<Backend> {
  const backend = { name } as Backend;
  const server = createServer((req, res) => {
    backend.lastHeaders = req.headers;
    // What helmet sends on the instances; nginx must replace, not duplicate, these.
    res.setHeader("X-Frame-Options", "SAMEORIGIN");
    res.setHeader("Content-Security-Policy", "default-src 'none'");
    const url = new URL(req.url ?? "/", "http://backend");
    let bytes = 0;
    req.on("data", (chunk: Buffer) => (bytes += chunk.length));
    req.on("end", () => {
      res.setHeader("Content-Type", "application/json");
      if (url.pathname === "/api/big") return res.end(Buffer.alloc(BIG_RESPONSE, "x"));
      res.end(JSON.stringify({ name, path: url.pathname, method: req.method, bytes }));
    });
  });
  // A minimal WebSocket stand-in: 101, then it echoes with its name.
  server.on("upgrade", (req, socket: Socket) => {
    backend.lastHeaders = req.headers;
    socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    socket.on("data", (chunk: Buffer) => socket.write(`${name}:${chunk.toString()}`));
    socket.on("end", () => socket.end());
  });
  // Upgraded sockets are no longer the HTTP server's to close: track every connection to stop for real.
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const port = await freePort();
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  return Object.assign(backend, {
    port,
    server,
    stop: async () => {
      if (!server.listening) return;
      const closed = once(server, "close");
      server.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  });
}

describe("nginx in front of two instances", () => {
  let one: Backend;
  let two: Backend;
  let nginx: NginxProcess;
  let base: string;
  let dir: string;
  const tabsOn = new Map<string, string>();

  const ask = async (pathAndQuery: string, init?: RequestInit) => {
    const response = await fetch(`${base}${pathAndQuery}`, init);
    return { response, body: (await response.json()) as { name: string; bytes?: number; method?: string } };
  };
  const instanceFor = async (pathAndQuery: string) => (await ask(pathAndQuery)).body.name;

  beforeAll(async () => {
    [one, two] = await Promise.all([startBackend("one"), startBackend("two")]);
    dir = await mkdtemp(path.join(tmpdir(), "videochat-nginx-"));
    await chmod(dir, 0o755); // as root, nginx's workers (nobody) read the SPA from here
    const spa = path.join(dir, "spa");
    await mkdir(path.join(spa, "assets"), { recursive: true });
    await writeFile(path.join(spa, "index.html"), "<!doctype html><title>Video Chat</title>");
    await writeFile(path.join(spa, "assets/app-abc123.js"), "console.log('app');\n".repeat(100));
    const native = await writeNativeNginxConfig({
      dir: path.join(dir, "nginx"),
      port: await freePort(),
      upstreams: [one, two].map((backend) => ({ host: "127.0.0.1", port: backend.port })),
      root: spa,
    });
    nginx = await startNginx(native);
    base = nginx.url;
  });

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all([one?.stop(), two?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("keeps one tab on one instance, for the API and for Socket.IO alike", async () => {
    const first = await instanceFor("/api/health?tab=tab-alpha");
    for (let i = 0; i < 5; i++) {
      expect(await instanceFor("/api/health?tab=tab-alpha")).toBe(first);
      expect(await instanceFor("/socket.io/?EIO=4&transport=polling&tab=tab-alpha")).toBe(first);
    }
  });

  it("spreads 20 tabs over both instances", async () => {
    for (let i = 0; i < 20; i++) tabsOn.set(`tab-${i}`, await instanceFor(`/api/health?tab=tab-${i}`));
    expect(new Set(tabsOn.values())).toEqual(new Set(["one", "two"]));
  });

  it("hashes the client address without a tab id, and never the Engine.IO sid", async () => {
    const byAddress = await instanceFor("/api/health?tab=127.0.0.1");
    for (let i = 0; i < 5; i++) {
      expect(await instanceFor("/api/health")).toBe(byAddress);
      expect(await instanceFor("/socket.io/?EIO=4&transport=polling")).toBe(byAddress);
      expect(await instanceFor(`/socket.io/?EIO=4&transport=polling&tab=&sid=sid-${i}`)).toBe(byAddress);
    }
    const [tab, owner] = [...tabsOn.entries()][0]!;
    for (let i = 0; i < 5; i++) {
      expect(await instanceFor(`/socket.io/?EIO=4&transport=polling&tab=${tab}&sid=sid-${i}`)).toBe(owner);
    }
  });

  it("serves the SPA: deep routes get index.html uncached, hashed assets cached for good", async () => {
    for (const route of ["/", "/some/deep/route", "/room/GENERAL"]) {
      const page = await fetch(`${base}${route}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<title>Video Chat</title>");
      expect(page.headers.get("cache-control")).toBe("no-cache");
    }
    const asset = await fetch(`${base}/assets/app-abc123.js`, { headers: { "accept-encoding": "gzip" } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(asset.headers.get("content-encoding")).toBe("gzip");

    const missing = await fetch(`${base}/assets/app-gone999.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("cache-control")).toBeNull();
  });

  it("puts the security headers on every response, once, and hides the server version", async () => {
    const responses = [
      await fetch(`${base}/`),
      await fetch(`${base}/some/deep/route`),
      await fetch(`${base}/assets/app-abc123.js`),
      await fetch(`${base}/assets/app-gone999.js`),
      await fetch(`${base}/api/health?tab=tab-alpha`),
      await fetch(`${base}/socket.io/?EIO=4&transport=polling&tab=tab-alpha`),
    ];
    for (const response of responses) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        // fetch joins repeated headers with ", ": equality proves there is one copy, nginx's.
        expect(response.headers.get(name), `${name} on ${response.url}`).toBe(value);
      }
      expect(response.headers.get("server")).toBe("nginx");
      await response.arrayBuffer();
    }
  });

  it("forwards the host with its port, the protocol and the client address", async () => {
    const { body } = await ask("/api/health?tab=tab-alpha");
    const headers = (body.name === "one" ? one : two).lastHeaders!;
    const authority = new URL(base).host;
    expect(headers.host).toBe(authority);
    expect(headers["x-forwarded-host"]).toBe(authority);
    expect(headers["x-forwarded-proto"]).toBe("http");
    expect(headers["x-forwarded-for"]).toBe("127.0.0.1");
  });

  it("passes the WebSocket upgrade to the tab's instance", async () => {
    const owner = await instanceFor("/api/health?tab=tab-ws");
    const { port } = new URL(base);
    const upgraded = request({
      host: "127.0.0.1",
      port,
      path: "/socket.io/?EIO=4&transport=websocket&tab=tab-ws",
      headers: { Connection: "Upgrade", Upgrade: "websocket" },
    });
    upgraded.end();
    const [response, socket] = (await once(upgraded, "upgrade")) as [{ statusCode: number }, Socket];
    try {
      expect(response.statusCode).toBe(101);
      socket.write("ping");
      const [echo] = (await once(socket, "data")) as [Buffer];
      expect(echo.toString()).toBe(`${owner}:ping`);
      const headers = (owner === "one" ? one : two).lastHeaders!;
      expect(headers.connection).toBe("upgrade");
      expect(headers.upgrade).toBe("websocket");
    } finally {
      socket.destroy();
    }
  });

  it("proxies POST bodies up to 64 KB and large responses, and refuses larger bodies", async () => {
    const posted = await ask("/api/session?tab=tab-alpha", { method: "POST", body: "x".repeat(60_000) });
    expect(posted.response.status).toBe(200);
    expect(posted.body).toMatchObject({ method: "POST", bytes: 60_000 });
    // A slow reader of a large response: nginx spills it to its proxy temp dir, which its workers
    // (nobody, when the tests run as root) must be able to write.
    expect(await slowRead(`${base}/api/big?tab=tab-alpha`, 300)).toEqual({
      status: 200,
      bytes: BIG_RESPONSE,
    });
    expect(await nginx.output()).toMatch(/upstream response is buffered to a temporary file/);
    const tooLarge = await fetch(`${base}/api/session?tab=tab-alpha`, {
      method: "POST",
      body: "x".repeat(70_000),
    });
    expect(tooLarge.status).toBe(413);
  });

  it("sends a stopped instance's tabs to the other one within fail_timeout", async () => {
    let orphan = "";
    for (let i = 0; !orphan && i < 50; i++) {
      if ((await instanceFor(`/api/health?tab=orphan-${i}`)) === "one") orphan = `orphan-${i}`;
    }
    expect(orphan).not.toBe("");
    await one.stop();
    const started = Date.now();
    expect(await instanceFor(`/api/health?tab=${orphan}`)).toBe("two");
    expect(await instanceFor(`/socket.io/?EIO=4&transport=polling&tab=${orphan}`)).toBe("two");
    const posted = await ask(`/api/session?tab=${orphan}`, { method: "POST", body: "{}" });
    expect(posted.body).toMatchObject({ name: "two", method: "POST" });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

// ---------------------------------------------------------------------------------------------

describe("docker-compose.yml", () => {
  let compose: Compose;
  let apps: [string, ComposeService][];
  beforeAll(async () => {
    compose = await readCompose();
    apps = Object.entries(compose.services).filter(([, service]) => isAppService(service));
  });

  it("ships the Node major CI tests on (.ci/run runs the suites on it)", async () => {
    const dockerfile = await readFile(path.join(repo, "Dockerfile.server"), "utf8");
    const majors = [...dockerfile.matchAll(/^FROM node:(\d+)-/gm)].map((m) => m[1]);
    const ci = await readFile(path.join(repo, ".ci/run"), "utf8");
    const tested = /^NODE_IMAGE_VERSION=(\d+)\./m.exec(ci)?.[1];
    expect(majors.length).toBeGreaterThan(0);
    expect(new Set(majors)).toEqual(new Set([tested]));
  });

  it("has no top-level name (Compose v1 refuses it)", () => {
    expect(compose.name).toBeUndefined();
  });

  it("has Redis, two app instances, coturn, Janus and nginx, and only nginx, coturn and Janus publish ports", () => {
    // Services behind a profile (`--profile monitoring`) start only when asked for.
    const always = Object.entries(compose.services).filter(([, service]) => !service.profiles);
    expect(always.map(([name]) => name).sort()).toEqual([
      "app1",
      "app2",
      "coturn",
      "janus",
      "nginx",
      "redis",
    ]);
    expect(apps.map(([name]) => name).sort()).toEqual(["app1", "app2"]);
    for (const [name, service] of always) {
      if (name === "coturn" || name === "janus") continue; // their ports: below
      expect(service.ports, name).toEqual(name === "nginx" ? ["8080:8080"] : undefined);
    }
  });

  it("keeps Redis private, password-protected and health-checked", () => {
    const redis = compose.services.redis!;
    const command = (redis.command ?? []).map((part) => interpolate(String(part)));
    const password = command[command.indexOf("--requirepass") + 1];
    expect(password).toBeTruthy();
    expect(command).toEqual(expect.arrayContaining(["--appendonly", "yes"]));
    expect(redis.healthcheck?.test.join(" ")).toMatch(/redis-cli/);
    expect(environmentOf(redis).REDISCLI_AUTH).toBe(password);
    expect(redis.networks).toEqual(["backend"]);
    expect(compose.networks.backend?.internal).toBe(true);
    for (const [name, app] of apps) {
      expect(environmentOf(app).REDIS_URL, name).toBe(`redis://:${password}@redis:6379`);
      expect(app.depends_on?.redis?.condition, name).toBe("service_healthy");
    }
  });

  it("gives the instances distinct ids, health checks, and only settings the server knows", async () => {
    const known = await configSchemaKeys();
    expect(known).toContain("INSTANCE_ID");
    const ids = new Set<string>();
    for (const [name, app] of apps) {
      const env = environmentOf(app);
      expect(
        Object.keys(env).filter((key) => !known.includes(key)),
        name,
      ).toEqual([]);
      expect(app.healthcheck?.test.join(" "), name).toMatch(/\/api\/health/);
      const config = loadAppConfig(env);
      expect(config.instanceId).toBe(name);
      expect(config.port).toBe(3000);
      expect(config.host).toBe("0.0.0.0");
      expect(config.redisUrl).toMatch(/@redis:6379$/);
      ids.add(config.instanceId);
    }
    expect(ids.size).toBe(apps.length);
  });

  it("trusts X-Forwarded-* from nginx's fixed address only, and lets the published origin open sockets", () => {
    const published = compose.services.nginx!.ports![0]!.split(":")[0];
    // Not a range (uniquelocal would also trust the host through the bridge's gateway): nginx's address.
    const nginxNetworks = compose.services.nginx!.networks as Record<string, { ipv4_address?: string }>;
    const nginxAddress = nginxNetworks.frontend?.ipv4_address;
    expect(nginxAddress).toMatch(/^172\.31\.250\.\d+$/);
    for (const [name, app] of apps) {
      const config = loadAppConfig(environmentOf(app));
      expect(config.trustProxy, name).toEqual([nginxAddress]);
      expect(config.publicOrigins, name).toEqual([
        `http://localhost:${published}`,
        `http://127.0.0.1:${published}`,
      ]);
    }
  });

  it("points nginx at exactly the app services, once they are healthy", () => {
    const nginx = compose.services.nginx!;
    const upstreams = environmentOf(nginx).NGINX_UPSTREAMS!;
    const servers = [...upstreams.matchAll(/server ([\w.-]+):(\d+)/g)].map((m) => ({
      host: m[1]!,
      port: Number(m[2]),
    }));
    expect(servers.map((s) => s.host).sort()).toEqual(apps.map(([name]) => name).sort());
    for (const server of servers) expect(server.port).toBe(3000);
    expect(upstreams).toBe(upstreamLines(servers).replace(/\s+/g, " "));
    for (const [name] of apps) expect(nginx.depends_on?.[name]?.condition, name).toBe("service_healthy");
  });

  it("with docker-compose.ha.yml and --profile ha, points every instance at the profile's three sentinels", async () => {
    const ha = parse(await readFile(path.join(repo, "docker-compose.ha.yml"), "utf8"), {
      merge: true,
    }) as Compose;
    const sentinels = ["sentinel1", "sentinel2", "sentinel3"];
    for (const name of ["redis-replica", ...sentinels]) {
      expect(compose.services[name]?.profiles, name).toEqual(["ha"]);
      // The private network only (the nodes at fixed addresses on it).
      const networks = compose.services[name]?.networks ?? [];
      expect(Array.isArray(networks) ? networks : Object.keys(networks), name).toEqual(["backend"]);
      expect(compose.services[name]?.ports, name).toBeUndefined();
    }
    for (const [name, app] of apps) {
      // Compose merges an override's environment key by key over the service's own.
      const env = { ...environmentOf(app), ...environmentOf(ha.services[name]!) };
      const config = loadAppConfig(env);
      expect(config.redisUrl, name).toBe("");
      expect(config.redisSentinel?.sentinels, name).toEqual(sentinels.map((host) => ({ host, port: 26379 })));
      expect(config.redisSentinel?.replicaAck, name).toBe("wait");
      // The nodes' and the sentinels' password: one variable for all.
      expect(config.redisSentinel?.password, name).toBe(
        environmentOf(compose.services["redis-replica"]!).REDIS_PASSWORD,
      );
      for (const sentinel of sentinels)
        expect(ha.services[name]!.depends_on?.[sentinel]?.condition, name).toBe("service_healthy");
    }
  });

  it("lets Prometheus (--profile monitoring) scrape every instance's METRICS_PORT, published on loopback only", async () => {
    const scrape = parse(await readFile(path.join(repo, "deploy/prometheus.yml"), "utf8")) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = scrape.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets));
    const expected = apps.map(([name, app]) => `${name}:${loadAppConfig(environmentOf(app)).metrics.port}`);
    expect(targets.sort()).toEqual(expected.sort());
    for (const [name, app] of apps)
      expect(loadAppConfig(environmentOf(app)).metrics.port, name).toBeGreaterThan(0);
    for (const name of ["prometheus", "grafana"]) {
      const service = compose.services[name]!;
      expect(service.profiles, name).toEqual(["monitoring"]);
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
    expect(compose.services.prometheus!.networks).toContain("backend");
    // Grafana and Prometheus are an operator's tools: nginx, the public entry, is on none of their networks.
    expect(compose.services.nginx!.networks).not.toContain("monitoring");
  });

  describe("coturn", () => {
    let coturn: ComposeService;
    /** coturn's `--name=value` options, interpolated; flags without a value map to "". */
    let options: Map<string, string[]>;
    beforeAll(() => {
      coturn = compose.services.coturn!;
      options = new Map();
      for (const part of (coturn.command ?? []).map((p) => interpolate(String(p)))) {
        const [name, ...value] = part.split("=");
        options.set(name!, [...(options.get(name!) ?? []), value.join("=")]);
      }
    });
    const option = (name: string) => options.get(name)?.[0];

    it("runs with use-auth-secret and the very secret the instances derive credentials from", () => {
      expect(coturn.image).toMatch(/^coturn\/coturn:/);
      expect(options.has("--use-auth-secret")).toBe(true);
      expect(options.has("--lt-cred-mech")).toBe(false);
      const secret = option("--static-auth-secret");
      expect(secret).toBeTruthy();
      expect(option("--realm")).toBeTruthy();
      for (const [name, app] of apps) {
        const config = loadAppConfig(environmentOf(app));
        expect(config.ice.turnSecret, name).toBe(secret);
        expect(config.ice.turnTtlSeconds, name).toBeGreaterThanOrEqual(60);
        expect(config.ice.transportPolicy, name).toBe("all");
      }
      // One variable sets both sides: a secret given in .env reaches coturn and every instance alike.
      const shell = { TURN_SECRET: "from-env" };
      expect(
        interpolate(
          coturn.command!.find((p) => p.startsWith("--static-auth-secret="))!,
          shell,
        ),
      ).toBe("--static-auth-secret=from-env");
      for (const [name, app] of apps)
        expect(interpolate(app.environment!.TURN_SECRET!, shell), name).toBe("from-env");
    });

    it("gives the instances TURN URLs on coturn's listening port, over UDP and TCP", () => {
      const port = option("--listening-port");
      for (const [name, app] of apps) {
        const urls = loadAppConfig(environmentOf(app)).ice.turnUrls;
        expect(
          urls.map((url) => new URL(url.replace(/^turn:/, "turn://")).port),
          name,
        ).toEqual([port, port]);
        expect(urls.map((url) => url.split("transport=")[1]).sort(), name).toEqual(["tcp", "udp"]);
      }
    });

    it("publishes its listening port and exactly its relay range, and advertises an external IP", () => {
      const [port, min, max] = ["--listening-port", "--min-port", "--max-port"].map(option);
      expect(coturn.ports).toEqual([
        `${port}:${port}/udp`,
        `${port}:${port}/tcp`,
        `${min}-${max}:${min}-${max}/udp`,
      ]);
      expect(Number(max)).toBeGreaterThan(Number(min));
      // Inside Docker coturn sees only its container address: the public one comes from the environment.
      expect(option("--external-ip")).toBe("127.0.0.1");
      expect(
        interpolate(
          coturn.command!.find((p) => p.startsWith("--external-ip="))!,
          { TURN_EXTERNAL_IP: "203.0.113.7" },
        ),
      ).toBe("--external-ip=203.0.113.7");
    });

    it("relays to no private address, has no CLI, and cannot reach Redis or the instances", () => {
      expect(options.has("--no-cli")).toBe(true);
      expect(options.has("--allow-loopback-peers")).toBe(false);
      // Every IANA special-purpose range, v4 and v6 (198.18.0.0/15 and 192.0.0.0/24 were missing once).
      expect(options.get("--denied-peer-ip")).toEqual([...SPECIAL_PURPOSE_RANGES]);
      expect(options.get("--denied-peer-ip")).toEqual(
        expect.arrayContaining([
          "198.18.0.0-198.19.255.255",
          "192.0.0.0-192.0.0.255",
          "::ffff:0:0-::ffff:ffff:ffff",
        ]),
      );
      expect(options.has("--allowed-peer-ip")).toBe(false);
      expect(coturn.networks).toEqual(["turn"]);
    });

    it("limits relay allocations per user and in all, within the published relay range", () => {
      const ports = Number(option("--max-port")) - Number(option("--min-port")) + 1;
      expect(Number(option("--total-quota"))).toBe(ports);
      expect(Number(option("--user-quota"))).toBeLessThan(ports);
      for (const [name, app] of [...apps, ["redis", compose.services.redis!] as const]) {
        expect(app.networks, name).not.toContain("turn");
      }
    });
  });

  it("keeps one client address's TURN credential holders to half of each shipped relay", async () => {
    /** The instances' bound and the relay's quotas, the invariant asserted, for one configuration. */
    const share = (
      where: string,
      env: Record<string, string>,
      relay: { user: number; total: number; lifetime: number },
    ) => {
      const ice = loadAppConfig(env).ice;
      // The instances are told the relay's very quotas and allocation lifetime...
      expect({ ...ice.relayQuota, lifetime: ice.maxAllocateLifetimeSeconds }, where).toEqual(relay);
      // ... and one address's holders, each at the user quota, fill at most half of the total.
      expect(ice.turnUsersPerAddress, where).toBeGreaterThanOrEqual(1);
      expect(ice.turnUsersPerAddress * relay.user, where).toBeLessThanOrEqual(relay.total / 2);
      return ice.turnUsersPerAddress;
    };
    // Compose: coturn's command and the instances' environment.
    const command = (compose.services.coturn!.command ?? []).map((part) => interpolate(String(part)));
    const quota = (name: string) =>
      Number(command.find((part) => part.startsWith(`--${name}=`))!.split("=")[1]);
    for (const [name, app] of apps)
      expect(
        share(`compose ${name}`, environmentOf(app), {
          user: quota("user-quota"),
          total: quota("total-quota"),
          lifetime: quota("max-allocate-lifetime"),
        }),
      ).toBe(2);
    // The native cluster (`npm run cluster`, the e2e suites): the coturn config it writes, the env it gives.
    const conf = configFile("/tmp/x", 3478, "s", "r", CLUSTER_QUOTA);
    const line = (name: string) => Number(new RegExp(`^${name}=(\\d+)$`, "m").exec(conf)![1]);
    const cluster = { TURN_URLS: "turn:127.0.0.1:3478", TURN_SECRET: "s", ...quotaEnv(CLUSTER_QUOTA) };
    const relay = {
      user: line("user-quota"),
      total: line("total-quota"),
      lifetime: line("max-allocate-lifetime"),
    };
    expect(share("cluster", cluster, relay)).toBe(8);
    // The defaults documented for operators (a coturn sized as docs/operations.md says).
    expect(
      share(
        "defaults",
        { TURN_URLS: "turn:t:3478", TURN_SECRET: "s" },
        { user: 24, total: 2400, lifetime: 3600 },
      ),
    ).toBe(50);
    // Told a relay too small for any address's share, or a bound past half of it, an instance does not start.
    expect(() => loadConfig({ TURN_USER_QUOTA: "24", TURN_TOTAL_QUOTA: "41" })).toThrow(
      /TURN_TOTAL_QUOTA: TURN_TOTAL_QUOTA 41 at TURN_USER_QUOTA 24 each holds no user within half of it/,
    );
    expect(() => loadConfig({ ...quotaEnv(CLUSTER_QUOTA), TURN_USERS_PER_ADDRESS: "50" })).toThrow(
      /TURN_USERS_PER_ADDRESS: 50 users of one address could take 1200 relay allocations, more than half of TURN_TOTAL_QUOTA 400 at TURN_USER_QUOTA 24 each: at most 8/,
    );
  });

  describe("janus", () => {
    let janus: ComposeService;
    beforeAll(() => {
      janus = compose.services.janus!;
    });

    it("is built on Debian bookworm-slim with Debian's janus package, unprivileged, health-checked", async () => {
      expect(janus.build?.dockerfile).toBe("Dockerfile.janus");
      const dockerfile = await readFile(path.join(repo, "Dockerfile.janus"), "utf8");
      expect(dockerfile).toMatch(/^FROM debian:bookworm-slim$/m);
      expect(dockerfile).toMatch(/apt-get install -y --no-install-recommends janus /);
      expect(dockerfile).toMatch(/^USER janus$/m);
      expect(dockerfile).toMatch(/^HEALTHCHECK /m);
    });

    it("renders the templates `npm run cluster` renders, with the same placeholders", async () => {
      const entrypoint = await readFile(path.join(repo, "janus/docker-entrypoint.sh"), "utf8");
      const substituted = /envsubst '([^']+)'/.exec(entrypoint)?.[1]?.match(/\w+/g);
      expect(substituted).toEqual([...JANUS_PLACEHOLDERS]);
      for (const file of JANUS_CONFIG_FILES) {
        expect(entrypoint, file).toContain(file);
        const template = await readFile(path.join(repo, "janus", `${file}.template`), "utf8");
        const used = new Set(template.match(/\$\{(\w+)\}/g));
        for (const placeholder of used)
          expect(JANUS_PLACEHOLDERS, `${file}: ${placeholder}`).toContain(placeholder.slice(2, -1));
      }
    });

    it("is what the instances' JANUS_URLS names, reached on a network only they share with it", async () => {
      const port = (await dockerfileEnv("Dockerfile.janus")).JANUS_WS_PORT;
      expect(environmentOf(janus).JANUS_WS_PORT ?? port).toBe("8188");
      expect(janus.networks).toEqual(["sfu"]);
      expect(compose.networks.sfu?.internal).toBeFalsy(); // its published media ports need a way out
      for (const [name, app] of apps) {
        const config = loadAppConfig(environmentOf(app));
        expect(config.janus.urls, name).toEqual([`ws://janus:${port}`]);
        expect(config.groupCallMax, name).toBe(50);
        expect(app.networks, name).toContain("sfu");
        expect(app.depends_on?.janus?.condition, name).toBe("service_healthy");
      }
      for (const name of ["redis", "nginx", "coturn"])
        expect(compose.services[name]!.networks, name).not.toContain("sfu");
      expect(Object.keys(compose.services.nginx!.networks ?? {})).not.toContain("sfu");
    });

    it("bakes in no API secret: a generated one in a volume the instances read, or JANUS_API_SECRET for all", () => {
      expect(environmentOf(janus).JANUS_API_SECRET).toBe("");
      const [volume, generated] = janus.volumes![0]!.split(":");
      expect(path.dirname(environmentOf(janus).JANUS_API_SECRET_FILE!)).toBe(generated);
      for (const [name, app] of apps) {
        const env = environmentOf(app);
        expect(env.JANUS_API_SECRET, name).toBe("");
        const mount = app.volumes!.find((v) => v.startsWith(`${volume}:`))!.split(":");
        expect(mount[2], name).toBe("ro");
        expect(path.dirname(env.JANUS_API_SECRET_FILE!), name).toBe(mount[1]);
        expect(path.basename(env.JANUS_API_SECRET_FILE!), name).toBe(
          path.basename(environmentOf(janus).JANUS_API_SECRET_FILE!),
        );
        expect(loadAppConfig(env).janus.apiSecret, name).toBe("0123456789abcdef0123456789abcdef");
        // One variable sets both sides, and wins over the file.
        const shell = { JANUS_API_SECRET: "from-env-0123456789" };
        const set = { ...env, JANUS_API_SECRET: interpolate(app.environment!.JANUS_API_SECRET!, shell) };
        expect(loadAppConfig(set).janus.apiSecret, name).toBe("from-env-0123456789");
        // Without JANUS_URLS (a mesh) the file is not read, so it need not exist.
        expect(loadConfig({ ...env, JANUS_URLS: "" }).janus.apiSecret, name).toBe("");
        expect(() => loadConfig(env), name).toThrow(/JANUS_API_SECRET_FILE: ENOENT/);
      }
      expect(interpolate(janus.environment!.JANUS_API_SECRET!, { JANUS_API_SECRET: "x" })).toBe("x");
    });

    it("publishes exactly its RTP range over UDP and advertises a public IP from the environment", () => {
      const range = environmentOf(janus).JANUS_RTP_PORT_RANGE!;
      expect(range).toMatch(/^\d+-\d+$/);
      expect(janus.ports!.map((port) => interpolate(port))).toEqual([`${range}:${range}/udp`]);
      const shell = { JANUS_RTP_PORT_RANGE: "30000-30199", JANUS_PUBLIC_IP: "203.0.113.7" };
      expect(interpolate(janus.ports![0]!, shell)).toBe("30000-30199:30000-30199/udp");
      expect(interpolate(janus.environment!.JANUS_RTP_PORT_RANGE!, shell)).toBe("30000-30199");
      expect(environmentOf(janus).JANUS_NAT_1_1_MAPPING).toBe("127.0.0.1");
      expect(interpolate(janus.environment!.JANUS_NAT_1_1_MAPPING!, shell)).toBe("203.0.113.7");
    });
  });
});
