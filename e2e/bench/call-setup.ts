// The bench's call row (run by scripts/bench/call.ts as its own process): Alice on app1 and Bob on app2
// of the built cluster behind nginx, each in Chromium with a fake camera, hold a private chat; Alice
// calls, Bob accepts, and the set-up time runs from Bob's click on Accept until a remote video frame
// has been decoded on both sides (inbound-rtp framesDecoded > 0). Writes its figures as JSON to argv[2].
//   usage: node --import tsx e2e/bench/call-setup.ts <out.json> <calls>
import { writeFileSync } from "node:fs";
import { cpuSeconds, descendants } from "../../scripts/bench/procfs.js";
import { openUser, type User } from "../support/browser.js";
import { callAndAccept } from "../support/call.js";
import { startClusterApp } from "../support/cluster.js";
import { acceptedAt, firstFrame, watchAccept, watchFirstFrame } from "../support/timing.js";
import { join, memberItem } from "../support/ui.js";

const [out, callsArg] = process.argv.slice(2);
if (!out) throw new Error("usage: call-setup.ts <out.json> <calls>");
const CALLS = Number(callsArg ?? 5);
const chromiumCpu = () =>
  descendants(process.pid, (comm) => comm.startsWith("chrom")).reduce((sum, pid) => sum + cpuSeconds(pid), 0);

const app = await startClusterApp(2, { LOG_LEVEL: "warn" });
const users: User[] = [];
const errors: string[] = [];
const times: number[] = [];
let usage = { wallSeconds: 0, chromiumCpuSeconds: 0, instancesCpuSeconds: 0 };
try {
  const [aliceTab, bobTab] = await Promise.all([app.tabOn("app1", "alice"), app.tabOn("app2", "bob")]);
  const [alice, bob] = await Promise.all([
    openUser("Alice", app.url, { tab: aliceTab }),
    openUser("Bob", app.url, { tab: bobTab }),
  ]);
  users.push(alice, bob);
  for (const user of users) await join(user.page, user.name, "GENERAL");
  await memberItem(alice.page, "Bob").waitFor();
  await alice.page.getByRole("button", { name: "Private chat with Bob" }).click();
  await bob.page.getByRole("region", { name: "Private chat with Alice" }).waitFor();
  await bob.page.evaluate(watchAccept);

  const instancePids = app.cluster.instances.map((instance) => instance.child.pid!);
  const started = performance.now();
  const chromiumFrom = chromiumCpu();
  const instancesFrom = instancePids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  for (let call = 0; call < CALLS; call++) {
    await Promise.all([alice.page.evaluate(watchFirstFrame), bob.page.evaluate(watchFirstFrame)]);
    await callAndAccept(alice.page, bob.page, "Alice");
    const frames = await Promise.all([firstFrame(alice.page), firstFrame(bob.page)]);
    const acceptAt = await acceptedAt(bob.page);
    times.push(Math.max(...frames) - acceptAt);
    await alice.page.getByRole("button", { name: "Hang up" }).click();
    for (const { page } of users) await page.getByRole("button", { name: "Video call" }).waitFor();
  }
  usage = {
    wallSeconds: (performance.now() - started) / 1000,
    chromiumCpuSeconds: chromiumCpu() - chromiumFrom,
    instancesCpuSeconds: instancePids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - instancesFrom,
  };
  for (const user of users) {
    errors.push(...user.problems.filter((p) => p.startsWith("pageerror")).map((p) => `${user.name}: ${p}`));
  }
} catch (error) {
  errors.push(error instanceof Error ? error.message.split("\n")[0]! : String(error));
} finally {
  await Promise.allSettled(users.map((user) => user.close()));
  await app.stop();
}
writeFileSync(out, JSON.stringify({ times, errors, ...usage }));
