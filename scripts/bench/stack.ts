// What the bench measures against: one Redis for the whole run and, per group of rows, two fresh
// instances of the built server (server/dist) on an emptied Redis, each with an inspector port (for a
// full GC, its heap figures and CPU profiles) and its CPU time read from /proc.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { startInstance, type InstanceProcess } from "../cluster/instances.js";
import { accepts, freePort, startProcess } from "../cluster/processes.js";
import { startRedis, type RedisServer } from "../cluster/redis.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export { cpuSeconds, rssBytes } from "./procfs.js";

/** Processes this run started and has not stopped: killed when the bench exits, however it exits. */
const running = new Set<number>();
process.once("exit", () => {
  for (const pid of running) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

export interface BenchInstance extends InstanceProcess {
  pid: number;
  inspectPort: number;
}

/** Commands per name: sent by clients (one round trip each), and run inside Lua scripts. */
export interface CommandTally {
  sent: Record<string, number>;
  inScripts: Record<string, number>;
}

export class BenchRedis {
  pid = 0;

  private constructor(
    readonly server: RedisServer,
    readonly client: Redis,
  ) {}

  static async start(): Promise<BenchRedis> {
    // No persistence: the bench measures the app's commands, not the disk.
    const server = await startRedis();
    const redis = new BenchRedis(server, new Redis(server.url, { connectionName: "bench" }));
    redis.pid = Number((await redis.info("server")).get("process_id"));
    running.add(redis.pid);
    return redis;
  }

  /** `INFO <section>` as a map of its fields. */
  async info(section: string): Promise<Map<string, string>> {
    const text = await this.client.info(section);
    return new Map(
      text
        .split("\r\n")
        .filter((line) => line.includes(":") && !line.startsWith("#"))
        .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1)]),
    );
  }

  async commandsProcessed(): Promise<number> {
    return Number((await this.info("stats")).get("total_commands_processed"));
  }

  /** Calls per command since the last CONFIG RESETSTAT, e.g. { evalsha: 120, spublish: 80 }. */
  async commandCalls(): Promise<Record<string, number>> {
    const calls: Record<string, number> = {};
    for (const [key, value] of await this.info("commandstats")) {
      const count = /calls=(\d+)/.exec(value);
      if (count) calls[key.replace(/^cmdstat_/, "")] = Number(count[1]);
    }
    return calls;
  }

  /**
   * Counts the commands Redis runs from now until `stop()` (MONITOR), per command, split into those
   * a client sent and those a Lua script ran; the bench's own INFO reads are left out.
   */
  async monitor(): Promise<{ stop(): Promise<CommandTally> }> {
    const tally: CommandTally = { sent: {}, inScripts: {} };
    let failure: Error | undefined;
    // Not `client.monitor()`: ioredis marks the connection as monitoring a tick after MONITOR's OK, and a
    // line of the feed read in the same chunk raised an error before anyone could listen (the bench died
    // at load 40). Listening from the start, that first line is lost instead: it ran before the window.
    const monitor = this.client.duplicate({ monitor: true });
    let entered = false;
    const early = (error: Error) => (entered ? undefined : (failure ??= error));
    monitor.on("error", early);
    await new Promise<void>((resolve, reject) => {
      monitor.once("monitoring", () => resolve());
      monitor.once("end", () => reject(failure ?? new Error("MONITOR connection ended")));
    });
    entered = true;
    monitor.off("error", early);
    failure = undefined;
    const mark = `bench-mark-${Math.random().toString(36).slice(2)}`;
    let marked!: () => void;
    const seen = new Promise<void>((resolve) => (marked = resolve));
    monitor.on("monitor", (_time: string, args: string[], source: string) => {
      const command = args[0]?.toLowerCase() ?? "";
      if (command === "echo" && args[1] === mark) marked();
      if (command === "info" || command === "echo") return;
      const counts = source === "lua" ? tally.inScripts : tally.sent;
      counts[command] = (counts[command] ?? 0) + 1;
    });
    let stopped = false;
    // What is still streaming in as the monitor disconnects confuses ioredis's reply queue: ignored.
    monitor.on("error", (error: Error) => (stopped ? undefined : (failure ??= error)));
    return {
      stop: async () => {
        // The feed is in order: once it shows this ECHO, everything that ran before it has arrived.
        await this.client.echo(mark);
        await seen;
        stopped = true;
        monitor.disconnect();
        if (failure) throw failure;
        return tally;
      },
    };
  }

  async cpuSeconds(): Promise<number> {
    const cpu = await this.info("cpu");
    return Number(cpu.get("used_cpu_user")) + Number(cpu.get("used_cpu_sys"));
  }

  async stop(): Promise<void> {
    this.client.disconnect();
    await this.server.stop();
    running.delete(this.pid);
  }
}

/** Two built instances on an emptied Redis; `env` adds to every instance's environment. */
export function startInstances(redis: BenchRedis, env: Record<string, string>): Promise<BenchInstance[]> {
  return startPair(redis, ["bench1", "bench2"], (id, port, inspectPort) =>
    startInstance({
      id,
      port,
      entry: "dist",
      env: {
        NODE_ENV: "production",
        NODE_OPTIONS: `--inspect=127.0.0.1:${inspectPort}`,
        LOG_LEVEL: "warn",
        REDIS_URL: redis.server.url,
        ...env,
      },
    }),
  );
}

/** Two instances of the bench's floor (bench/floor/server.ts: Socket.IO and its adapter only) on `redis`. */
export function startFloor(redis: BenchRedis): Promise<BenchInstance[]> {
  return startPair(redis, ["floor1", "floor2"], async (id, port, inspectPort) => {
    const managed = await startProcess(
      process.execPath,
      [`--inspect=127.0.0.1:${inspectPort}`, "--import", "tsx", path.join(root, "bench/floor/server.ts")],
      {
        name: `floor ${id}`,
        ready: () => accepts(port),
        env: {
          ...process.env,
          NODE_ENV: "production",
          PORT: String(port),
          INSTANCE_ID: id,
          REDIS_URL: redis.server.url,
        },
      },
    );
    return { ...managed, id, port, url: `http://127.0.0.1:${port}` };
  });
}

async function startPair(
  redis: BenchRedis,
  ids: string[],
  start: (id: string, port: number, inspectPort: number) => Promise<InstanceProcess>,
): Promise<BenchInstance[]> {
  await redis.client.flushall();
  await redis.client.config("RESETSTAT");
  const started = await Promise.allSettled(
    ids.map(async (id): Promise<BenchInstance> => {
      const inspectPort = await freePort();
      const instance = await start(id, await freePort(), inspectPort);
      running.add(instance.child.pid!);
      return { ...instance, pid: instance.child.pid!, inspectPort };
    }),
  );
  const instances = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failed = started.find((result) => result.status === "rejected");
  if (failed) {
    await stopInstances(instances);
    throw failed.reason;
  }
  return instances;
}

/** SIGKILL: what the instances hold is thrown away with the Redis flush of the next group. */
export async function stopInstances(instances: BenchInstance[]): Promise<void> {
  await Promise.all(instances.map((instance) => instance.stop("SIGKILL")));
  for (const instance of instances) running.delete(instance.pid);
}
