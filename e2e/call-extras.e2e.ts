// What people show each other in a call, across two instances behind nginx: the incoming call as a
// modal alert dialog over the page, human status texts, a reaction and a raised hand seen by the other
// side of a 1:1 call, and in a group call of three a raised hand (on the tile and in the member list, still there
// for a page that reloads) and a reaction seen by the others, network-quality bars on every remote
// tile (their figures in a tooltip), axe-core clean throughout. Every step leaves screenshots under
// test-artifacts/e2e/call-extras.
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectNoAxeViolations } from "./support/axe.js";
import { PHONE, screenshot, type User } from "./support/browser.js";
import { CONNECTED, MEDIA_TIMEOUT, privateChat } from "./support/call.js";
import { startClusterApp, type ClusterApp } from "./support/cluster.js";
import { joinGroupCall, startGroupCall } from "./support/group.js";
import { Scenario } from "./support/scenario.js";
import { callStage, expectTiles, stageButton, tile } from "./support/stage.js";
import { join, memberItem, servedBy, showMembers } from "./support/ui.js";

let scenario: Scenario<ClusterApp>;

// Two instances, Redis and nginx: over a minute on a busy machine.
beforeAll(async () => {
  scenario = await Scenario.on("call-extras", () => startClusterApp(2));
}, 240_000);

afterAll(async () => {
  await scenario?.close();
});

const DESKTOP = { width: 1280, height: 800 };

const callStatus = (page: Page) => page.getByRole("status", { name: "Call status" });

/** The network-quality bars of `name`'s tile, once they have graded the link (not "measuring…"). */
const qualityBars = (page: Page, name: string): Locator =>
  tile(page, name).getByRole("img", { name: /^Network quality: (good|fair|poor)\b/ });

/** Picks `reaction` ("Thumbs up", "Celebrate", …) from the stage's Reactions menu. */
async function react(page: Page, reaction: string): Promise<void> {
  await stageButton(page, "Reactions").click();
  await page.getByRole("menu", { name: "Reactions" }).getByRole("menuitem", { name: reaction }).click();
}

it("rings in a dialog, and shows hands, reactions and link quality to everyone in the call", async () => {
  let alice!: User;
  let bob!: User;
  let carol!: User;

  await scenario.step("Alice and Carol join GENERAL on app1, Bob on app2", async () => {
    const tabs = await Promise.all([
      scenario.app.tabOn("app1", "alice"),
      scenario.app.tabOn("app2", "bob"),
      scenario.app.tabOn("app1", "carol"),
    ]);
    [alice, bob, carol] = await Promise.all([
      scenario.open("Alice", { tab: tabs[0], viewport: DESKTOP }),
      scenario.open("Bob", { tab: tabs[1], viewport: DESKTOP }),
      scenario.open("Carol", { tab: tabs[2], viewport: DESKTOP }),
    ]);
    for (const user of [alice, bob, carol]) await join(user.page, user.name, "GENERAL");
    await expect.poll(() => servedBy(bob.page)).toContain("Served by app2");
    await expect.poll(() => servedBy(alice.page)).toContain("Served by app1");
    for (const { page } of [alice, bob, carol]) {
      for (const name of ["Alice", "Bob", "Carol"]) await memberItem(page, name).waitFor();
    }
  });

  await scenario.step(
    "Alice calls Bob: Ringing Bob…, and Bob's page shows a modal alert dialog",
    async () => {
      await alice.page.getByRole("button", { name: "Private chat with Bob" }).click();
      await privateChat(alice.page, "Bob").waitFor();
      await alice.page.getByRole("button", { name: "Video call" }).click();
      await expect.poll(() => callStatus(alice.page).textContent()).toContain("Ringing Bob…");
      const incoming = bob.page.getByRole("alertdialog", { name: "Incoming call from Alice" });
      await incoming.waitFor();
      await bob.page.emulateMedia({ colorScheme: "dark" });
      await screenshot(bob.page, "call-extras/incoming-call-dark-bob", { fullPage: false });
      await bob.page.setViewportSize(PHONE);
      await screenshot(bob.page, "call-extras/incoming-call-dark-phone-bob", { fullPage: false });
      await bob.page.emulateMedia({ colorScheme: "light" });
      await screenshot(bob.page, "call-extras/incoming-call-phone-bob", { fullPage: false });
      await expectNoAxeViolations(bob.page, "incoming call dialog (phone)");
      await bob.page.setViewportSize(DESKTOP);
      await expect.poll(() => incoming.evaluate((el) => el.contains(document.activeElement))).toBe(true);
      // Modal: the page behind it is out of reach until Bob answers.
      expect(await bob.page.getByRole("button", { name: "Private chat with Alice" }).count()).toBe(0);
      await expectNoAxeViolations(bob.page, "incoming call dialog");
    },
  );

  await scenario.step("Bob accepts; both read Connected with a running clock", async () => {
    const incoming = bob.page.getByRole("alertdialog", { name: "Incoming call from Alice" });
    await incoming.getByRole("button", { name: "Accept" }).click();
    await incoming.waitFor({ state: "hidden" });
    for (const { page } of [alice, bob]) {
      await expect.poll(() => callStatus(page).textContent(), MEDIA_TIMEOUT).toMatch(CONNECTED);
      await page.getByLabel("Call duration").waitFor();
    }
  });

  await scenario.step("Alice sends a thumbs up: it floats over her tile on Bob's screen", async () => {
    await react(alice.page, "Thumbs up");
    await tile(alice.page, "Alice (you)").getByRole("img", { name: "Alice reacted 👍" }).waitFor();
    await tile(bob.page, "Alice").getByRole("img", { name: "Alice reacted 👍" }).waitFor();
    await screenshot(bob.page, "call-extras/reaction-in-1-1-call-bob", { fullPage: false });
    await qualityBars(bob.page, "Alice").waitFor(MEDIA_TIMEOUT);
    await qualityBars(alice.page, "Bob").waitFor(MEDIA_TIMEOUT);
    // The figures behind the bars, in the same tooltip as the controls'.
    await qualityBars(bob.page, "Alice").hover();
    await bob.page.getByRole("tooltip", { name: /^\s*Network quality: (good|fair|poor)/ }).waitFor();
  });

  await scenario.step(
    "Bob (app2) raises his hand in the 1:1 call: Alice (app1) sees it on his tile, its words in a tooltip",
    async () => {
      await stageButton(bob.page, "Raise hand").click();
      await stageButton(bob.page, "Lower hand").waitFor();
      expect(await stageButton(bob.page, "Lower hand").getAttribute("aria-pressed")).toBe("true");
      await tile(bob.page, "Bob (you)").getByRole("img", { name: "Hand raised" }).waitFor();
      const badge = tile(alice.page, "Bob").getByRole("img", { name: "Hand raised" });
      await badge.waitFor();
      expect(await badge.getAttribute("title")).toBeNull();
      await badge.focus(); // the keyboard finds its words too
      await alice.page.getByRole("tooltip", { name: "Hand raised", exact: true }).waitFor();
      for (const colorScheme of ["light", "dark"] as const) {
        await alice.page.emulateMedia({ colorScheme });
        await screenshot(alice.page, `call-extras/hand-in-1-1-call-alice-${colorScheme}`, {
          fullPage: false,
        });
      }
      await alice.page.emulateMedia({ colorScheme: "light" });
      await expectNoAxeViolations(alice.page, "1:1 call with a raised hand");
      await stageButton(bob.page, "Lower hand").click();
      await stageButton(bob.page, "Raise hand").waitFor();
      await expect.poll(() => badge.count()).toBe(0);
    },
  );

  await scenario.step("Alice hangs up; Bob reads that she left the call", async () => {
    await stageButton(alice.page, "Hang up").click();
    await expect.poll(() => callStatus(alice.page).textContent()).toContain("Call ended");
    await expect
      .poll(() => bob.page.getByRole("status", { name: "Call notices", exact: true }).textContent())
      .toContain("Alice left the call");
    await privateChat(alice.page, "Bob").getByRole("button", { name: "Close chat" }).click();
    await privateChat(alice.page, "Bob").waitFor({ state: "detached" });
  });

  await scenario.step("Alice starts a group call, Bob and Carol join", async () => {
    await startGroupCall(alice.page, "Alice");
    await joinGroupCall(bob.page, "Bob", ["Alice"]);
    await joinGroupCall(carol.page, "Carol", ["Alice", "Bob"]);
    await expectTiles(alice.page, ["Bob", "Carol", "Alice (you)"]);
  });

  await scenario.step("Network-quality bars grade every remote tile on every page", async () => {
    const everyone = { Alice: alice, Bob: bob, Carol: carol };
    for (const [name, user] of Object.entries(everyone)) {
      for (const other of Object.keys(everyone).filter((n) => n !== name)) {
        await qualityBars(user.page, other).waitFor(MEDIA_TIMEOUT);
      }
      expect(
        await tile(user.page, `${name} (you)`)
          .getByRole("img", { name: /^Network quality/ })
          .count(),
      ).toBe(0);
    }
  });

  await scenario.step(
    "Alice raises her hand: Bob (app2) and Carol see it on her tile and in Members",
    async () => {
      await stageButton(alice.page, "Raise hand").hover();
      await alice.page.getByRole("tooltip", { name: "Raise hand", exact: true }).waitFor();
      await stageButton(alice.page, "Raise hand").click();
      await stageButton(alice.page, "Lower hand").waitFor();
      expect(await stageButton(alice.page, "Lower hand").getAttribute("aria-pressed")).toBe("true");
      for (const { page } of [bob, carol]) {
        await tile(page, "Alice").getByRole("img", { name: "Hand raised" }).waitFor();
        await showMembers(page);
        await memberItem(page, "Alice").getByRole("img", { name: "Hand raised" }).waitFor();
      }
      await expectNoAxeViolations(bob.page, "group call with a raised hand");
    },
  );

  await scenario.step("Bob sends a celebration: Alice and Carol see it over Bob's tile", async () => {
    // Carol looks at it in the dark, Alice in the light: the shots show both themes.
    await carol.page.emulateMedia({ colorScheme: "dark" });
    await react(bob.page, "Celebrate");
    // Both at once: a reaction floats for REACTION_MS (4 s), and one page's wait and screenshot after
    // the other's could outlast it on a busy machine.
    const viewers = [alice, carol];
    await Promise.all(
      viewers.map(({ page }) => tile(page, "Bob").getByRole("img", { name: "Bob reacted 🎉" }).waitFor()),
    );
    await Promise.all(
      viewers.map(({ page, name }) =>
        screenshot(page, `call-extras/reaction-in-group-call-${name.toLowerCase()}`, { fullPage: false }),
      ),
    );
    await expectNoAxeViolations(alice.page, "group call with a reaction");
  });

  await scenario.step("Carol's page reloads: the Store still shows Alice's hand to it", async () => {
    await carol.page.reload();
    await showMembers(carol.page);
    await memberItem(carol.page, "Alice").getByRole("img", { name: "Hand raised" }).waitFor();
  });

  await scenario.step("Alice lowers her hand: it goes for everyone", async () => {
    await stageButton(alice.page, "Lower hand").click();
    await stageButton(alice.page, "Raise hand").waitFor();
    await expect
      .poll(() => tile(bob.page, "Alice").getByRole("img", { name: "Hand raised" }).count())
      .toBe(0);
    await expect
      .poll(() => memberItem(carol.page, "Alice").getByRole("img", { name: "Hand raised" }).count())
      .toBe(0);
    expect(await callStage(bob.page).count()).toBe(1);
  });

  expect(scenario.pageErrors()).toEqual([]);
}, 600_000);
