// Three people in a room's group call on two instances behind nginx: start, a busy notice, join,
// an invitation declined and one accepted, video between every pair, a muted badge and a screen share
// seen by the others, axe-core, a room move, a leave and a rejoin (timed: join to frames from both
// others), a reload that keeps the call (the page comes back by itself), and a closed tab off the
// stage within seconds.
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectNoAxeViolations } from "./support/axe.js";
import type { User } from "./support/browser.js";
import { announcements, expectCaptureStopped } from "./support/call.js";
import { startClusterApp, type ClusterApp } from "./support/cluster.js";
import {
  answerInvitation,
  expectInCall,
  groupCallLine,
  groupNotices,
  inviteToCall,
  joinGroupCall,
  leaveGroupCall,
  startGroupCall,
  timeJoinToFrames,
} from "./support/group.js";
import { Scenario } from "./support/scenario.js";
import { callStage, expectFramesIn, expectTiles, mutedBadge, stageButton, tile } from "./support/stage.js";
import { join, memberItem, roomButton } from "./support/ui.js";

let scenario: Scenario<ClusterApp>;

beforeAll(async () => {
  scenario = await Scenario.on("group-call", () => startClusterApp(2));
});

afterAll(async () => {
  await scenario?.close();
});

/**
 * Fourteen steps with three browsers: about 90 s on a quiet 2-core machine, the config's default
 * bound. Each step waits for its own state with its own bound; this one only stops a hang.
 */
const SCENARIO_TIMEOUT_MS = 180_000;

it(
  "holds a group call of three across instances, with video between every pair",
  async () => {
    let alice!: User;
    let bob!: User;
    let carol!: User;

    await scenario.step("Alice and Carol join GENERAL on app1, Bob on app2", async () => {
      const [aliceTab, bobTab, carolTab] = await Promise.all([
        scenario.app.tabOn("app1", "alice"),
        scenario.app.tabOn("app2", "bob"),
        scenario.app.tabOn("app1", "carol"),
      ]);
      [alice, bob, carol] = await Promise.all([
        scenario.open("Alice", { tab: aliceTab }),
        scenario.open("Bob", { tab: bobTab }),
        scenario.open("Carol", { tab: carolTab }),
      ]);
      for (const user of [alice, carol]) await join(user.page, user.name, "GENERAL");
      // Bob's join screen, served by app2 through nginx, follows the counts of the joins on app1.
      const general = bob.page
        .getByRole("combobox", { name: "Room" })
        .locator("option", { hasText: "GENERAL" });
      await expect.poll(() => general.textContent()).toBe("GENERAL (2)");
      await join(bob.page, bob.name, "GENERAL");
      for (const { page } of [alice, bob, carol]) {
        for (const name of ["Alice", "Bob", "Carol"]) await memberItem(page, name).waitFor();
      }
    });

    await scenario.step("Alice starts a group call and the others see it", async () => {
      await startGroupCall(alice.page, "Alice");
      for (const { page } of [bob, carol]) {
        await expect.poll(() => groupCallLine(page)).toBe("Group call: Alice (1 of 6)");
        await expectInCall(page, "Alice");
      }
    });

    await scenario.step("Carol finds Alice busy for a private chat", async () => {
      await carol.page.getByRole("button", { name: "Private chat with Alice" }).click();
      await expect
        .poll(() => announcements(carol.page))
        .toContain("Alice is already talking with someone else");
    });

    await scenario.step("Bob joins from the other instance, and Alice and Bob see each other", async () => {
      await joinGroupCall(bob.page, "Bob", ["Alice"]);
      await expectTiles(alice.page, ["Bob", "Alice (you)"]);
      await Promise.all([expectFramesIn(alice.page, "Bob"), expectFramesIn(bob.page, "Alice")]);
    });

    await scenario.step("Alice invites Carol, who declines", async () => {
      await inviteToCall(alice.page, "Carol");
      await answerInvitation(carol.page, "Alice", "Decline");
      await expect
        .poll(async () => groupNotices(alice.page).textContent())
        .toBe("Carol declined the invitation");
    });

    await scenario.step("Alice invites Carol again, and Carol joins from the invitation", async () => {
      await inviteToCall(alice.page, "Carol");
      await answerInvitation(carol.page, "Alice", "Join");
      await expectTiles(carol.page, ["Alice", "Bob", "Carol (you)"]);
      await expectTiles(alice.page, ["Bob", "Carol", "Alice (you)"]);
      await expectTiles(bob.page, ["Alice", "Carol", "Bob (you)"]);
      await Promise.all([
        expectFramesIn(carol.page, "Alice"),
        expectFramesIn(carol.page, "Bob"),
        expectFramesIn(alice.page, "Carol"),
        expectFramesIn(bob.page, "Carol"),
      ]);
    });

    await scenario.step("Carol mutes, and Alice and Bob see the badge", async () => {
      await stageButton(carol.page, "Mute microphone").click();
      await Promise.all([mutedBadge(alice.page, "Carol").waitFor(), mutedBadge(bob.page, "Carol").waitFor()]);
    });

    await scenario.step("Bob shares his screen, and Alice and Carol see it", async () => {
      await stageButton(bob.page, "Share screen").click();
      for (const { page } of [alice, carol]) {
        await tile(page, "Bob's screen").waitFor();
        await expectFramesIn(page, "Bob's screen");
      }
    });

    await scenario.step("The group call passes axe-core", async () => {
      await expectNoAxeViolations(alice.page, "group call");
    });

    await scenario.step("Bob moves to SPORTS, and the others' stages follow", async () => {
      // Asked first (a move takes him out of the call); "Stay in call" has the focus.
      await roomButton(bob.page, "SPORTS").click();
      const asked = bob.page.getByRole("alertdialog", { name: "Leave the group call?" });
      await asked.waitFor();
      await expect
        .poll(() => bob.page.evaluate(() => document.activeElement?.textContent?.trim()))
        .toBe("Stay in call");
      await asked.getByRole("button", { name: "Leave call and switch", exact: true }).click();
      await bob.page.waitForURL("**/room/SPORTS");
      await expectTiles(alice.page, ["Carol", "Alice (you)"]);
      await expectTiles(carol.page, ["Alice", "Carol (you)"]);
      await expectCaptureStopped(bob.page);
      expect(await callStage(bob.page).count()).toBe(0);
    });

    await scenario.step("Carol leaves the call, and Alice waits alone", async () => {
      await leaveGroupCall(carol.page);
      await expectTiles(alice.page, ["Alice (you)"]);
      await callStage(alice.page).getByText("Waiting for others to join…").waitFor();
      await expectCaptureStopped(carol.page);
      await expectInCall(alice.page, "Carol", false);
      await expect.poll(() => groupCallLine(carol.page)).toBe("Group call: Alice (1 of 6)");
    });

    await scenario.step("Bob comes back to GENERAL and joins; Carol rejoins: frames from both", async () => {
      await roomButton(bob.page, "GENERAL").click();
      await bob.page.waitForURL("**/room/GENERAL");
      await joinGroupCall(bob.page, "Bob", ["Alice"]);
      await expect.poll(() => groupCallLine(carol.page)).toBe("Group call: Alice, Bob (2 of 6)");
      const ms = await timeJoinToFrames(carol.page, ["Alice", "Bob"]);
      console.log(
        `group call: join → frames from all 2 others  ${Math.round(ms).toLocaleString("en-US")} ms`,
      );
      await Promise.all([expectFramesIn(alice.page, "Carol"), expectFramesIn(bob.page, "Carol")]);
    });

    await scenario.step(
      "Bob reloads the page: he is back in the call by himself, media with both",
      async () => {
        await bob.page.reload();
        await expectTiles(bob.page, ["Alice", "Carol", "Bob (you)"]);
        await Promise.all([expectFramesIn(alice.page, "Bob"), expectFramesIn(bob.page, "Alice")]);
        await expectTiles(carol.page, ["Alice", "Bob", "Carol (you)"]);
        expect(await groupCallLine(bob.page)).toBe("Group call: Alice, Bob, Carol (3 of 6)");
      },
    );

    await scenario.step("Carol closes her tab: off Alice's stage within 5 s", async () => {
      const at = Date.now();
      await carol.page.close();
      await expectTiles(alice.page, ["Bob", "Alice (you)"]);
      const ms = Date.now() - at;
      console.log(`group call: tab closed → off the others' stage  ${ms.toLocaleString("en-US")} ms`);
      expect(ms).toBeLessThan(5_000);
    });

    expect(scenario.pageErrors()).toEqual([]);
  },
  SCENARIO_TIMEOUT_MS,
);
