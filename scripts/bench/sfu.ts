// The SFU row (issue 19): participants in one group call through a real Janus, every one publishing
// synthetic VP8 at 15 fps and subscribing to everyone else (scripts/sfu-sim/), ramped 5, 10, … 25.
// Each step waits until every subscriber receives frames from every publisher, then measures a window:
// frames/s received against what was sent, Janus's CPU per forwarded stream (/proc/<pid>/stat), the
// CPU of the processes that hold the simulated participants (SIM_PROCESSES children, scripts/sfu-sim/
// pool.ts: one Node process could not send 15 fps for more than about 15) and of the two app instances.
// The first step that does not reach "everyone receives everyone" within its deadline ends the ramp.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startJanusNodes, type JanusNodes } from "../cluster/janus.js";
import { SimPool, type RemoteSim } from "../sfu-sim/pool.js";
import { cpuSeconds } from "./procfs.js";
import type { Row } from "./row.js";
import { startInstances, stopInstances, type BenchInstance, type BenchRedis } from "./stack.js";

export const SFU_ROOM = "SFU";
const STEPS = [5, 10, 15, 20, 25];
const QUICK_STEPS = [3];
const TARGET = 25;
const FPS = 15;
/** Child processes the simulated participants are dealt to, round-robin: one per core here. */
const SIM_PROCESSES = Math.max(2, os.availableParallelism());
/** How long a step may take to reach "everyone receives everyone" once its last participant joined (ms). */
const DEADLINE_MS = 30_000;
/** The measured window of each step (ms). */
const WINDOW_MS = 10_000;
const QUICK_WINDOW_MS = 3_000;

/**
 * Lifted: all the participants claim their sessions from 127.0.0.1, and the bench joins them faster
 * than people would (each join is a group:join, an ICE-servers request and an sfu:join).
 */
const LIMITS = {
  SESSION_CLAIMS_PER_MIN: "10000000",
  RATE_LIMITS: "call=10000000/10,ice-servers=10000000/10,call-signal=10000000/10",
};

export interface SfuStep {
  participants: number;
  /** Every subscriber got frames from every publisher within the deadline. */
  allReceiving: boolean;
  /** From the last join to every subscriber receiving from every publisher (ms); null: not reached. */
  fullAfterMs: number | null;
  /** Publisher → subscriber pairs: N × (N − 1). */
  streams: number;
  /** Over the window: frames/s received (all subscribers) and sent (all publishers × their subscribers). */
  framesPerSecond: number;
  expectedPerSecond: number;
  /** Frames/s each publisher sent over the window (15 wanted): below it, this process could not keep up. */
  sentFpsPerPublisher: number;
  /** The pair with the fewest frames/s over the window. */
  minPairFps: number;
  /** Pairs that got no frame at all in the window. */
  silentPairs: number;
  /** % of one core over the window. */
  janusCpuPercent: number;
  janusCpuPerStreamPercent: number;
  /** The simulated participants' processes and this one. */
  nodeCpuPercent: number;
  instancesCpuPercent: number;
  load: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every ordered pair (subscriber, publisher) and whether it has frames beyond `from`. */
function pairs(people: RemoteSim[]): [RemoteSim, RemoteSim][] {
  return people.flatMap((sub) =>
    people.filter((pub) => pub !== sub).map((pub) => [sub, pub] as [RemoteSim, RemoteSim]),
  );
}

/** Runs the ramp; `progress` gets one line per step. */
export async function sfuRow(
  redis: BenchRedis,
  quick: boolean,
  progress: (line: string) => void,
): Promise<Row> {
  const started = performance.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), "videochat-bench-sfu-"));
  let janus: JanusNodes | undefined;
  let instances: BenchInstance[] = [];
  const people: RemoteSim[] = [];
  const pool = SimPool.start(SIM_PROCESSES);
  const simCpu = () => pool.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const simFrom = simCpu();
  const steps: SfuStep[] = [];
  const errors: string[] = [];
  const nodeFrom = process.cpuUsage();
  let instancesFrom: number[] = [];
  /** Both instances' CPU seconds over the row, read before they are stopped. */
  let instancesCpu = NaN;
  try {
    janus = await startJanusNodes(dir, 1, dir);
    const janusPid = janus.nodes[0]!.child.pid!;
    instances = await startInstances(redis, { ...janus.env, ...LIMITS, ROOMS: SFU_ROOM });
    instancesFrom = instances.map((instance) => cpuSeconds(instance.pid));
    for (const target of quick ? QUICK_STEPS : STEPS) {
      while (people.length < target) {
        const i = people.length;
        const person = await pool.connect({
          url: instances[i % instances.length]!.url,
          name: `Sim ${i + 1}`,
          room: SFU_ROOM,
          fps: FPS,
        });
        people.push(person);
        if (i === 0) await person.startCall();
        else await person.joinCall(people[0]!.callId!);
        await person.startMedia();
      }
      const joinedAt = performance.now();
      let fullAfterMs: number | null = null;
      while (performance.now() - joinedAt < DEADLINE_MS) {
        await pool.refresh();
        if (pairs(people).every(([sub, pub]) => sub.framesFrom(pub.userId) > 0)) {
          fullAfterMs = performance.now() - joinedAt;
          break;
        }
        await sleep(100);
      }
      // The window: every pair's frames, and each process's CPU, from its start to its end.
      const window = quick ? QUICK_WINDOW_MS : WINDOW_MS;
      await pool.refresh();
      const before = new Map(
        pairs(people).map(([sub, pub]) => [`${sub.userId}>${pub.userId}`, sub.framesFrom(pub.userId)]),
      );
      const sentBefore = people.reduce((sum, p) => sum + p.framesSent * (people.length - 1), 0);
      const sentFramesBefore = people.reduce((sum, p) => sum + p.framesSent, 0);
      const janusBefore = cpuSeconds(janusPid);
      const nodeBefore = process.cpuUsage();
      const simBefore = simCpu();
      const instancesBefore = instances.reduce((sum, instance) => sum + cpuSeconds(instance.pid), 0);
      const windowStart = performance.now();
      await sleep(window);
      await pool.refresh();
      const seconds = (performance.now() - windowStart) / 1000;
      const node = process.cpuUsage(nodeBefore);
      const simSeconds = simCpu() - simBefore;
      const perPair = pairs(people).map(
        ([sub, pub]) => (sub.framesFrom(pub.userId) - before.get(`${sub.userId}>${pub.userId}`)!) / seconds,
      );
      const streams = people.length * (people.length - 1);
      const janusCpuPercent = (100 * (cpuSeconds(janusPid) - janusBefore)) / seconds;
      const step: SfuStep = {
        participants: people.length,
        allReceiving: fullAfterMs !== null,
        fullAfterMs,
        streams,
        framesPerSecond: perPair.reduce((a, b) => a + b, 0),
        expectedPerSecond:
          (people.reduce((sum, p) => sum + p.framesSent * (people.length - 1), 0) - sentBefore) / seconds,
        sentFpsPerPublisher:
          (people.reduce((sum, p) => sum + p.framesSent, 0) - sentFramesBefore) / seconds / people.length,
        minPairFps: Math.min(...perPair),
        silentPairs: perPair.filter((fps) => fps === 0).length,
        janusCpuPercent,
        janusCpuPerStreamPercent: janusCpuPercent / streams,
        nodeCpuPercent: (100 * ((node.user + node.system) / 1e6 + simSeconds)) / seconds,
        instancesCpuPercent:
          (100 * (instances.reduce((sum, instance) => sum + cpuSeconds(instance.pid), 0) - instancesBefore)) /
          seconds,
        load: os
          .loadavg()
          .map((value) => value.toFixed(1))
          .join(", "),
      };
      steps.push(step);
      progress(describeStep(step));
      await pool.refresh();
      for (const person of people) errors.push(...person.problems.splice(0));
      if (!step.allReceiving) {
        const states = new Map<string, string[]>();
        for (const person of people)
          states.set(person.connections, [...(states.get(person.connections) ?? []), person.name]);
        errors.push(
          `${people.length}: not everyone receiving; ${[...states].map(([state, names]) => `${state}: ${names.length}`).join("; ")}`,
        );
        break;
      }
    }
  } catch (error) {
    errors.push(error instanceof Error ? error.message : String(error));
  } finally {
    await Promise.allSettled(people.map((person) => person.close(true)));
    pool.stop();
    if (instancesFrom.length > 0)
      instancesCpu = instances.reduce(
        (sum, instance, i) => sum + cpuSeconds(instance.pid) - instancesFrom[i]!,
        0,
      );
    await stopInstances(instances);
    await janus?.stop("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }
  const held = steps.filter((step) => step.allReceiving).at(-1)?.participants ?? 0;
  const seconds = (performance.now() - started) / 1000;
  const node = process.cpuUsage(nodeFrom);
  const simUsed = simCpu() - simFrom;
  const last = steps.at(-1);
  return {
    id: "sfu",
    scenario:
      "SFU: participants in one call with every subscriber receiving frames (Janus, synthetic VP8 15 fps)",
    target: `≥ ${TARGET}`,
    ours:
      steps.length > 0
        ? `${held}${last && !last.allReceiving ? ` (${last.participants} failed)` : ""}`
        : "failed",
    value: steps.length > 0 ? held : null,
    met: quick ? "n/a" : held >= TARGET ? "yes" : "no",
    details: { sfuSteps: steps },
    seconds,
    generator: {
      cpuPercent: (100 * ((node.user + node.system) / 1e6 + simUsed)) / seconds,
      loopP99Ms: NaN,
      loopMaxMs: NaN,
      errors: errors.length,
      samples: errors.slice(0, 5),
      received: {},
    },
    instancesCpuPercent: (100 * instancesCpu) / seconds,
    redisCpuPercent: NaN,
    errors: errors.length,
    errorSamples: errors.slice(0, 5),
  };
}

/** One step as the bench prints it. */
export function describeStep(step: SfuStep): string {
  const reached =
    step.fullAfterMs === null
      ? "NOT everyone receiving within 30 s"
      : `everyone receiving after ${(step.fullAfterMs / 1000).toFixed(1)} s`;
  return (
    `sfu ${step.participants} participants: ${reached}; ${step.framesPerSecond.toFixed(0)} frames/s received of ` +
    `${step.expectedPerSecond.toFixed(0)} sent (${step.sentFpsPerPublisher.toFixed(1)} fps per publisher; ${step.streams} streams, slowest ${step.minPairFps.toFixed(1)} fps, ` +
    `${step.silentPairs} silent); Janus ${step.janusCpuPercent.toFixed(0)} % CPU, ` +
    `${step.janusCpuPerStreamPercent.toFixed(2)} % per stream; Node (simulated participants, ${SIM_PROCESSES} processes and this one) ` +
    `${step.nodeCpuPercent.toFixed(0)} %; instances ${step.instancesCpuPercent.toFixed(0)} %; load ${step.load}`
  );
}
