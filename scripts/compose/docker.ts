// Docker Compose driven from a test: v2 (`docker compose`) where installed, else v1 (`docker-compose`), or
// the one `COMPOSE=v1|v2` names, under a project name of the test's own, so nothing of a person's own
// stack is touched.
import { spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { randomBytes } from "node:crypto";

/**
 * The Compose command line to use, or an error that says what to install. `COMPOSE=v2` or `COMPOSE=v1`
 * picks one (to prove the stack on both); by default v2 (`docker compose`) where installed, else v1.
 */
export function composeCommand(choice = process.env.COMPOSE): string[] {
  const v2 = () => spawnSync("docker", ["compose", "version"], { encoding: "utf8" }).status === 0;
  const v1 = () => spawnSync("docker-compose", ["version"], { encoding: "utf8" }).status === 0;
  if (choice !== undefined && choice !== "" && choice !== "v1" && choice !== "v2")
    throw new Error(`COMPOSE=${choice}: expected v1 or v2`);
  if (choice !== "v1" && v2()) return ["docker", "compose"];
  if (choice !== "v2" && v1()) return ["docker-compose"];
  throw new Error(
    choice === "v2"
      ? "Docker Compose v2 is not installed: Debian's docker-compose 2.x package (trixie and later) or Docker's compose plugin; see docs/operations.md"
      : "Docker Compose is not installed: apt-get install -y docker.io docker-compose (Debian), or Docker's compose plugin",
  );
}

/** Throws unless a Docker engine answers. */
export function requireDockerEngine(): void {
  const info = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { encoding: "utf8" });
  if (info.status !== 0)
    throw new Error(`no Docker engine answers (start dockerd, or join the docker group):\n${info.stderr}`);
}

export interface Project {
  name: string;
  /** Runs `compose <args>` for this project; resolves with its output, rejects on a non-zero exit. */
  run(args: string[], options?: { quiet?: boolean }): Promise<string>;
}

/** Which Compose files and profiles a project uses (Compose's `-f` and `--profile`). */
export interface ProjectFiles {
  /** Compose files in order, later ones overriding (default: docker-compose.yml alone). */
  files?: string[];
  profiles?: string[];
}

/** A Compose project of its own name in `cwd`; `env` is added to the environment Compose interpolates from. */
export function composeProject(
  cwd: string,
  env: Record<string, string> = {},
  use: ProjectFiles = {},
): Project {
  const [command, ...base] = composeCommand();
  const name = `videochat-test-${randomBytes(3).toString("hex")}`;
  const selection = [
    ...(use.files ?? []).flatMap((file) => ["-f", file]),
    ...(use.profiles ?? []).flatMap((profile) => ["--profile", profile]),
  ];
  return {
    name,
    run: (args, { quiet = false } = {}) =>
      new Promise((resolve, reject) => {
        const child = spawn(command!, [...base, "-p", name, ...selection, ...args], {
          cwd,
          env: { ...process.env, ...env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        const keep = (chunk: Buffer) => {
          output += chunk.toString();
          if (!quiet) process.stdout.write(chunk);
        };
        child.stdout.on("data", keep);
        child.stderr.on("data", keep);
        child.on("error", reject);
        child.on("exit", (code) =>
          code === 0
            ? resolve(output)
            : reject(new Error(`compose ${args.join(" ")}: exit ${code}\n${output}`)),
        );
      }),
  };
}

/** The containers and networks Docker still has for `project`. */
export function leftovers(project: string): { containers: string[]; networks: string[] } {
  const list = (kind: "ps" | "network") =>
    spawnSync(
      "docker",
      kind === "ps"
        ? ["ps", "-a", "--filter", `label=com.docker.compose.project=${project}`, "--format", "{{.Names}}"]
        : [
            "network",
            "ls",
            "--filter",
            `label=com.docker.compose.project=${project}`,
            "--format",
            "{{.Name}}",
          ],
      { encoding: "utf8" },
    )
      .stdout.split("\n")
      .filter(Boolean);
  return { containers: list("ps"), networks: list("network") };
}

/**
 * Sends a STUN Binding Request (RFC 8489) over UDP and resolves with the XOR-MAPPED-ADDRESS family's
 * presence: true when a Binding Success Response with our transaction id came back.
 */
export function stunBinding(host: string, port: number, timeoutMs = 5_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    const transaction = randomBytes(12);
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0); // Binding Request
    request.writeUInt16BE(0, 2); // no attributes
    request.writeUInt32BE(0x2112a442, 4); // magic cookie
    transaction.copy(request, 8);
    const done = (answered: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on("message", (message) =>
      done(message.readUInt16BE(0) === 0x0101 && message.subarray(8, 20).equals(transaction)),
    );
    socket.send(request, port, host);
  });
}

/** Whether UDP `port` can be bound on every IPv4 address now (what Docker's port publishing needs). */
function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => resolve(false));
    socket.bind(port, "0.0.0.0", () => socket.close(() => resolve(true)));
  });
}

/**
 * A free block of `size` UDP ports, "min-max", for the `janus` service's published media range
 * (JANUS_RTP_PORT_RANGE): its default 20000-20099 lies inside the range `npm run cluster` gives its own
 * Janus nodes (20000 up), so a cluster or an e2e run on the same machine made `up` fail with "bind:
 * address already in use". Chosen between 12000 and 19999, below every native Janus range.
 */
export async function freeUdpRange(size = 100): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const low = 12_000 + Math.floor(Math.random() * ((20_000 - 12_000 - size) / size)) * size;
    const ports = Array.from({ length: size }, (_, i) => low + i);
    if ((await Promise.all(ports.map(udpFree))).every(Boolean)) return `${low}-${low + size - 1}`;
  }
  throw new Error(`no free block of ${size} UDP ports between 12000 and 19999`);
}
