// `npm run serve`: the API (tsx watch, memory Store) and Vite's dev server side by side, each line
// prefixed with its name. SIGINT, SIGTERM or SIGHUP (to this process or to the npm running it) stops
// both process trees within 15 s; when one of them exits, the other is stopped too.
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { spawnGroup, stopOnSignal, type ProcessGroup } from "./cluster/groups.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const parts = [
  { name: "api", colour: 34, workspace: "server" },
  { name: "web", colour: 32, workspace: "client" },
];

const groups: ProcessGroup[] = parts.map(({ name, colour, workspace }) => {
  const group = spawnGroup("npm", ["run", "dev", "-w", workspace], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = process.stdout.isTTY ? `\x1b[${colour}m[${name}]\x1b[0m ` : `[${name}] `;
  for (const stream of [group.child.stdout!, group.child.stderr!])
    createInterface({ input: stream }).on("line", (line) => console.log(prefix + line));
  return group;
});

let stopping = false;
const stopAll = async () => {
  stopping = true;
  await Promise.all(groups.map((group) => group.stop()));
};
stopOnSignal(stopAll, {
  deadlineMs: 14_000,
  kill: () => groups.forEach((group) => group.child.pid && process.kill(-group.child.pid, "SIGKILL")),
  say: (line) => console.log(line),
});

// Either one ending (a crash, a port in use) ends the pair, as `concurrently --kill-others` did.
const first = await Promise.race(
  groups.map((group, index) => group.exited.then((code) => ({ index, code }))),
);
if (stopping) await new Promise(() => undefined); // stopOnSignal exits
console.log(`[${parts[first.index]!.name}] exited with ${first.code ?? "a signal"}: stopping the rest`);
await stopAll();
process.exit(first.code === 0 ? 0 : 1);
