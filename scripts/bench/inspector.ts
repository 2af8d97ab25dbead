// A bench instance seen through its V8 inspector (started with --inspect on loopback): a full GC and the
// process's memory figures without a debug endpoint in the app, and CPU profiles of one bench row.
import WebSocket from "ws";

interface Target {
  webSocketDebuggerUrl: string;
}

/** One DevTools-protocol session with an instance. */
export class Inspector {
  private next = 1;
  private readonly waiting = new Map<
    number,
    (message: { result?: any; error?: { message: string } }) => void
  >();

  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
      if (message.id !== undefined) this.waiting.get(message.id)?.(message);
      if (message.id !== undefined) this.waiting.delete(message.id);
    });
  }

  static async open(port: number): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Target[];
    const target = targets[0];
    if (!target) throw new Error(`no inspector target on port ${port}`);
    const socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    return new Inspector(socket);
  }

  send(method: string, params: object = {}): Promise<any> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (message) =>
        message.error ? reject(new Error(`${method}: ${message.error.message}`)) : resolve(message.result),
      );
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** A full, compacting collection (what `global.gc()` does), twice so finalizers' garbage goes too. */
  async collectGarbage(): Promise<void> {
    await this.send("HeapProfiler.collectGarbage");
    await this.send("HeapProfiler.collectGarbage");
  }

  /** process.memoryUsage() inside the instance, bytes. */
  async memoryUsage(): Promise<NodeJS.MemoryUsage> {
    const answer = await this.send("Runtime.evaluate", {
      expression: "JSON.stringify(process.memoryUsage())",
      returnByValue: true,
    });
    return JSON.parse(answer.result.value as string) as NodeJS.MemoryUsage;
  }

  /** Starts the sampling CPU profiler (one sample every `intervalUs`). */
  async startProfile(intervalUs = 200): Promise<void> {
    await this.send("Profiler.enable");
    await this.send("Profiler.setSamplingInterval", { interval: intervalUs });
    await this.send("Profiler.start");
  }

  /** Stops it; the profile in the .cpuprofile format Chrome DevTools and speedscope open. */
  async stopProfile(): Promise<CpuProfile> {
    const { profile } = await this.send("Profiler.stop");
    await this.send("Profiler.disable");
    return profile as CpuProfile;
  }

  close(): void {
    this.socket.close();
  }
}

export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The functions that took most CPU themselves ("self time"), as % of the profiled wall time. */
export function topFrames(profile: CpuProfile, count = 15): { frame: string; percent: number }[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byNode.get(id)!.callFrame;
    const file = frame.url.replace(/^.*\/node_modules\//, "").replace(/^.*\/server\/dist\//, "dist/");
    const key =
      `${frame.functionName || "(anonymous)"} ${file ? `${file}:${frame.lineNumber + 1}` : ""}`.trim();
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = profile.endTime - profile.startTime;
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([frame, us]) => ({ frame, percent: (100 * us) / total }));
}
