// The parent's side of the load generator: forks the worker processes, asks them over IPC, and sums
// their own measurements (CPU, event-loop delay, errors) for each bench row.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Envelope, GeneratorStats, Reply, Request } from "./rpc.js";

const here = path.dirname(fileURLToPath(import.meta.url));

/** What the generator did during one row: CPU as % of one core, the worst worker's loop delay. */
export interface GeneratorUse {
  cpuPercent: number;
  loopP99Ms: number;
  loopMaxMs: number;
  errors: number;
  samples: string[];
  /** Events the simulated users received during the row, by name. */
  received: Record<string, number>;
}

function sumCounts(counts: Record<string, number>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const count of counts) {
    for (const [name, n] of Object.entries(count)) sum[name] = (sum[name] ?? 0) + n;
  }
  return sum;
}

export class Worker {
  private next = 0;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(e: Error): void }>();

  constructor(
    readonly index: number,
    readonly child: ChildProcess,
  ) {
    child.on("message", (message: Envelope) => {
      if ("request" in message) return;
      const waiter = this.waiting.get(message.id);
      if (!waiter) return;
      this.waiting.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`worker ${index}: ${message.error}`));
    });
    child.on("exit", (code, signal) => {
      for (const waiter of this.waiting.values())
        waiter.reject(new Error(`worker ${index} exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  ask<R extends Request>(request: R): Promise<Reply<R>> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, request } satisfies Envelope);
    });
  }
}

export class Pool {
  private startedAt = performance.now();

  private constructor(readonly workers: Worker[]) {}

  /** Forks `count` workers running scripts/bench/worker.ts through tsx. */
  static async start(count: number): Promise<Pool> {
    const workers = Array.from({ length: count }, (_, index) => {
      const child = fork(path.join(here, "worker.ts"), [], {
        execArgv: ["--import", "tsx", "--max-old-space-size=4096"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      return new Worker(index, child);
    });
    const pool = new Pool(workers);
    await pool.all({ op: "stats", reset: true });
    return pool;
  }

  /** The worker that holds user number `i` (users are dealt round-robin). */
  of(i: number): Worker {
    return this.workers[i % this.workers.length]!;
  }

  all<R extends Request>(request: R): Promise<Reply<R>[]> {
    return Promise.all(this.workers.map((worker) => worker.ask(request)));
  }

  /** Starts a row's measurement window. */
  async reset(): Promise<void> {
    await this.all({ op: "stats", reset: true });
    this.startedAt = performance.now();
  }

  /** What the generator used since the last reset; resets again. */
  async use(): Promise<GeneratorUse> {
    const stats: GeneratorStats[] = await this.all({ op: "stats", reset: true });
    const wallUs = (performance.now() - this.startedAt) * 1000;
    this.startedAt = performance.now();
    return {
      cpuPercent: (100 * stats.reduce((sum, s) => sum + s.cpuUs, 0)) / Math.max(1, wallUs),
      loopP99Ms: Math.max(...stats.map((s) => s.loopP99Ms)),
      loopMaxMs: Math.max(...stats.map((s) => s.loopMaxMs)),
      errors: stats.reduce((sum, s) => sum + s.errors, 0),
      samples: stats.flatMap((s) => s.samples).slice(0, 5),
      received: sumCounts(stats.map((s) => s.received)),
    };
  }

  async closeAll(): Promise<void> {
    await this.all({ op: "closeAll" });
  }

  async stop(): Promise<void> {
    for (const worker of this.workers) {
      if (worker.child.connected) worker.child.disconnect();
      if (worker.child.exitCode === null) worker.child.kill();
    }
  }
}
