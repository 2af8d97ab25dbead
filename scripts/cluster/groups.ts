// Child process trees stopped as a whole: `npm run …` is npm -> sh -> node -> (esbuild, …), and a
// shell passes no signal on, so a signal to the direct child stopped nothing below it.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { once } from "node:events";
import { STOP_GRACE_MS } from "./processes.js";

export interface ProcessGroup {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /**
   * SIGTERM to every process of the group, SIGKILL to whatever is left once the leader has exited or
   * `graceMs` (STOP_GRACE_MS) has passed; resolves when the leader is gone.
   */
  stop(graceMs?: number): Promise<void>;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left in the group
  }
}

/** Spawns `command` as the leader of a new process group (`detached`), so `stop()` reaches its descendants. */
export function spawnGroup(command: string, args: string[], options: SpawnOptions = {}): ProcessGroup {
  const child = spawn(command, args, { ...options, detached: true });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  // A runner that dies some other way must not leave the group behind.
  const orphaned = () => signalGroup(child.pid!, "SIGKILL");
  process.once("exit", orphaned);
  return {
    child,
    exited,
    stop: async (graceMs = STOP_GRACE_MS) => {
      if (child.pid === undefined) return;
      if (child.exitCode === null && child.signalCode === null) {
        signalGroup(child.pid, "SIGTERM");
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise((resolve) => (timer = setTimeout(resolve, graceMs)));
        await Promise.race([exited, late]);
        clearTimeout(timer);
      }
      // Descendants the leader left behind (a watcher's grandchild, esbuild's service) go too.
      signalGroup(child.pid, "SIGKILL");
      await exited;
      process.off("exit", orphaned);
    },
  };
}

/**
 * Runs `stop` once on SIGINT, SIGTERM or SIGHUP, then exits 0 (1 when it failed). Past `deadlineMs`
 * it calls `kill` (SIGKILL what is left) and exits 1: a process manager waits only so long.
 */
export function stopOnSignal(
  stop: () => Promise<void>,
  options: { deadlineMs: number; kill: () => void; say?: (line: string) => void },
): void {
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      options.say?.(`${signal}: stopping…`);
      setTimeout(() => {
        options.say?.(`still running after ${options.deadlineMs} ms: killing what is left`);
        options.kill();
        process.exit(1);
      }, options.deadlineMs).unref();
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          options.kill();
          process.exit(1);
        },
      );
    });
  }
}
