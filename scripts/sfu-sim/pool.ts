// Simulated participants spread over child processes (host.ts), for the bench's SFU row: each process
// runs its share of SimParticipants, and the parent sees each one through a RemoteSim whose counters
// are as fresh as the last refresh() (one IPC round trip per process).
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SimOptions } from "./participant.js";

const here = path.dirname(fileURLToPath(import.meta.url));

/** What the parent asks a host process; `sim` is the host's key of one participant. */
export type HostCommand = { id: number } & (
  | { op: "connect"; options: SimOptions }
  | { op: "startCall" | "startMedia"; sim: number }
  | { op: "joinCall"; sim: number; callId: string }
  | { op: "close"; sim: number; quietly: boolean }
  | { op: "snapshot" }
);

export type HostReply = { id: number } & ({ ok: true; result: unknown } | { ok: false; error: string });

/** One participant's counters as its host process last reported them. */
export interface SimSnapshot {
  sim: number;
  callId: string | null;
  framesSent: number;
  /** Frames received, by publisher user id. */
  received: Record<string, number>;
  /** Problems since the last snapshot. */
  problems: string[];
  connections: string;
}

type Ask = (command: Record<string, unknown>) => Promise<unknown>;

class Host {
  private next = 0;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  constructor(readonly child: ChildProcess) {
    child.on("message", (reply: HostReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.ok) waiter?.resolve(reply.result);
      else waiter?.reject(new Error(reply.error));
    });
    child.on("exit", (code) => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`sfu-sim host exited (${code})`));
      this.waiting.clear();
    });
  }

  readonly ask: Ask = (command) =>
    new Promise((resolve, reject) => {
      const id = this.next++;
      this.waiting.set(id, { resolve, reject });
      this.child.send({ ...command, id });
    });
}

/** A SimParticipant in a host process, with the surface the bench reads (counters as of the last refresh). */
export class RemoteSim {
  callId: string | null = null;
  framesSent = 0;
  connections = "unknown";
  /** Problems reported so far (the bench empties it as it reads). */
  readonly problems: string[] = [];
  private received: Record<string, number> = {};

  constructor(
    private readonly ask: Ask,
    /** Its host's key for it. */
    readonly key: number,
    readonly userId: string,
    readonly name: string,
  ) {}

  /** Frames received from `userId`, as of the last refresh. */
  framesFrom(userId: string): number {
    return this.received[userId] ?? 0;
  }

  update(snapshot: SimSnapshot): void {
    this.callId = snapshot.callId;
    this.framesSent = snapshot.framesSent;
    this.received = snapshot.received;
    this.connections = snapshot.connections;
    this.problems.push(...snapshot.problems);
  }

  async startCall(): Promise<string> {
    return (this.callId = (await this.ask({ op: "startCall", sim: this.key })) as string);
  }

  async joinCall(callId: string): Promise<void> {
    await this.ask({ op: "joinCall", sim: this.key, callId });
    this.callId = callId;
  }

  async startMedia(): Promise<void> {
    await this.ask({ op: "startMedia", sim: this.key });
  }

  async close(quietly = false): Promise<void> {
    await this.ask({ op: "close", sim: this.key, quietly });
  }
}

export class SimPool {
  private readonly sims = new Map<Host, RemoteSim[]>();
  private count = 0;

  private constructor(private readonly hosts: Host[]) {
    for (const host of hosts) this.sims.set(host, []);
  }

  /** Forks `processes` hosts (host.ts, through tsx as the bench runs). */
  static start(processes: number): SimPool {
    const hosts = Array.from(
      { length: processes },
      () =>
        new Host(
          fork(path.join(here, "host.ts"), [], {
            execArgv: ["--import", "tsx"],
            stdio: ["ignore", "inherit", "inherit", "ipc"],
          }),
        ),
    );
    return new SimPool(hosts);
  }

  /** The hosts' process ids, for their CPU time. */
  get pids(): number[] {
    return this.hosts.map((host) => host.child.pid!);
  }

  /** A participant as SimParticipant.connect makes one, in the next host in turn. */
  async connect(options: SimOptions): Promise<RemoteSim> {
    const host = this.hosts[this.count++ % this.hosts.length]!;
    const { sim, userId } = (await host.ask({ op: "connect", options })) as { sim: number; userId: string };
    const remote = new RemoteSim(host.ask, sim, userId, options.name);
    this.sims.get(host)!.push(remote);
    return remote;
  }

  /** Fetches every participant's counters from its host. */
  async refresh(): Promise<void> {
    await Promise.all(
      this.hosts.map(async (host) => {
        const snapshots = (await host.ask({ op: "snapshot" })) as SimSnapshot[];
        const byKey = new Map(snapshots.map((snapshot) => [snapshot.sim, snapshot]));
        for (const remote of this.sims.get(host)!) {
          const snapshot = byKey.get(remote.key);
          if (snapshot) remote.update(snapshot);
        }
      }),
    );
  }

  /** Ends the host processes (close the participants first). */
  stop(): void {
    for (const host of this.hosts) if (host.child.connected) host.child.disconnect();
  }
}
