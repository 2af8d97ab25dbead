// Two people on two instances of a cluster behind nginx: the start of every cross-instance call test.
import { expect } from "vitest";
import type { User } from "./browser.js";
import type { ClusterApp } from "./cluster.js";
import type { Scenario } from "./scenario.js";
import { join, memberItem, servedBy } from "./ui.js";

/** Alice on app1 and Bob on app2 (tabs pinned through nginx), both in GENERAL and listing each other. */
export async function aliceAndBobApart(scenario: Scenario<ClusterApp>): Promise<[User, User]> {
  const [aliceTab, bobTab] = await Promise.all([
    scenario.app.tabOn("app1", "alice"),
    scenario.app.tabOn("app2", "bob"),
  ]);
  const [alice, bob] = await Promise.all([
    scenario.open("Alice", { tab: aliceTab }),
    scenario.open("Bob", { tab: bobTab }),
  ]);
  for (const user of [alice, bob]) await join(user.page, user.name, "GENERAL");
  await expect.poll(() => servedBy(alice.page)).toContain("Served by app1");
  await expect.poll(() => servedBy(bob.page)).toContain("Served by app2");
  for (const { page } of [alice, bob]) {
    for (const name of ["Alice", "Bob"]) await memberItem(page, name).waitFor();
  }
  return [alice, bob];
}
