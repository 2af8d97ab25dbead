// What Linux's /proc says about a process: CPU time, resident memory, and a process's descendants (a
// browser's renderer and GPU processes), so that the bench can say what each part of a run cost.
import { readdirSync, readFileSync } from "node:fs";

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s. */
const CLOCK_TICKS_PER_S = 100;

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces): [0] is field 3. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null; // exited meanwhile
  }
}

/** CPU seconds (user + system) a process has used so far; 0 once it has exited. */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  // utime is field 14, stime 15.
  return fields ? (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S : 0;
}

/** Resident set size of a process, bytes (VmRSS in /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** Every live process below `root` whose command name (/proc/<pid>/comm) passes `named`. */
export function descendants(root: number, named: (comm: string) => boolean = () => true): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const fields = statFields(pid);
    if (fields) parents.set(pid, Number(fields[1])); // ppid is field 4
  }
  const below = (pid: number): boolean => {
    for (let parent = parents.get(pid); parent !== undefined && parent > 1; parent = parents.get(parent)) {
      if (parent === root) return true;
    }
    return false;
  };
  return [...parents.keys()].filter((pid) => {
    if (!below(pid)) return false;
    try {
      return named(readFileSync(`/proc/${pid}/comm`, "utf8").trim());
    } catch {
      return false;
    }
  });
}
