// Alice on a phone (390×844), Bob and Carol on laptops: the member list folds with its count in view,
// the room buttons fit, the feeds follow the newest message through layout changes and offer "Jump to
// newest" to a reader who scrolled up, focus goes where each person goes next, Escape declines a
// call, and axe-core finds nothing on the join screen, the room, the private chat and a call, in
// light and dark. Screenshots of the phone's room and call are kept.
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectNoAxeViolations } from "./support/axe.js";
import { PHONE, screenshot, type User } from "./support/browser.js";
import {
  announcements,
  callAndAccept,
  expectCaptureStopped,
  expectFlowingVideo,
  privateChat,
} from "./support/call.js";
import { Scenario } from "./support/scenario.js";
import { expectFitsViewport } from "./support/stage.js";
import {
  isFocused,
  join,
  memberList,
  memberItem,
  membersToggle,
  roomButton,
  roomChat,
  submitJoin,
  textOf,
} from "./support/ui.js";

let scenario: Scenario;

beforeAll(async () => {
  // Bob fills the feed faster than the default limit of 20 messages per 10 s allows.
  scenario = await Scenario.start("phone", { MESSAGE_RATE_PER_10S: "200" });
});

afterAll(async () => {
  await scenario?.close();
});

/** Pixels between what a log shows and its newest entry; 0 when it follows the newest. */
const belowView = (log: Locator) => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);

/** A box's rendered width in CSS pixels. */
const widthOf = (locator: Locator) => locator.evaluate((el) => el.getBoundingClientRect().width);

/** Whether a text runs onto a second line (taller than a line of its font). */
const wraps = (locator: Locator) =>
  locator.evaluate(
    (el) => el.getBoundingClientRect().height > 1.9 * parseFloat(getComputedStyle(el).fontSize),
  );

/** The laptops' window (support/browser.ts' default). */
const LAPTOP = { width: 1100, height: 760 };

/** Once the join form has its rooms, axe finds nothing on it. */
async function checkJoinScreen(page: Page, device: string): Promise<void> {
  await page.getByRole("textbox", { name: "Display name" }).waitFor();
  await page.getByRole("combobox", { name: "Room" }).locator("option").first().waitFor({ state: "attached" });
  await expectNoAxeViolations(page, `join screen (${device})`);
}

/** What the phone's screen shows, light and dark: phone/<name>.png and phone/<name>-dark.png. */
async function phoneShots(page: Page, name: string): Promise<void> {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await screenshot(page, `phone/${name}${colorScheme === "dark" ? "-dark" : ""}`, { fullPage: false });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** Long enough to wrap onto more lines when the feed narrows. */
const chatter = (i: number) =>
  `Message ${i} from Bob, long enough to wrap onto another line when the feed narrows beside a private chat.`;

it("works on a phone and with a keyboard, and passes axe in light and dark", async () => {
  let alice!: User;
  let bob!: User;
  let carol!: User;

  await scenario.step("Alice opens the app on a phone", async () => {
    alice = await scenario.open("Alice", { viewport: PHONE });
    await checkJoinScreen(alice.page, "phone");
  });

  await scenario.step("Alice, Bob and Carol join GENERAL", async () => {
    [bob, carol] = await Promise.all([scenario.open("Bob"), scenario.open("Carol")]);
    await checkJoinScreen(bob.page, "laptop");
    await submitJoin(alice.page, "Alice", "GENERAL");
    await alice.page.waitForURL("**/room/GENERAL");
    await expect.poll(() => isFocused(alice.page.getByRole("textbox", { name: "Message" }))).toBe(true);
    for (const user of [bob, carol]) await join(user.page, user.name, "GENERAL");
    // Folded on a phone, with the count in view.
    const toggle = membersToggle(alice.page);
    await alice.page.getByRole("button", { name: "In this room 3 members" }).waitFor();
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    expect(await memberList(alice.page).isVisible()).toBe(false);
  });

  await scenario.step("Alice unfolds the members and every room button fits the phone", async () => {
    await membersToggle(alice.page).click();
    await expect.poll(() => memberList(alice.page).getByRole("listitem").count()).toBe(3);
    for (const item of await memberList(alice.page).getByRole("listitem").all()) {
      expect(await item.isVisible()).toBe(true);
    }
    for (const room of ["GENERAL", "SPORTS", "GAMES"]) {
      const box = await roomButton(alice.page, room).boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= PHONE.width).toBe(true);
    }
    expect(await alice.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      PHONE.width,
    );
    await expectNoAxeViolations(alice.page, "room (phone)");
    await expectNoAxeViolations(bob.page, "room (laptop)");
    await phoneShots(alice.page, "room");
    await scenario.dismiss(carol);
  });

  await scenario.step("Bob fills the feed and Alice, reading back, is offered Jump to newest", async () => {
    const message = bob.page.getByRole("textbox", { name: "Message" });
    for (let i = 1; i <= 24; i++) {
      await message.fill(chatter(i));
      await message.press("Enter");
    }
    await expect.poll(() => textOf(roomChat(alice.page))).toContain("Message 24 from Bob");
    await expect.poll(() => belowView(roomChat(alice.page))).toBeLessThan(2);

    await roomChat(alice.page).evaluate((el) => el.scrollTo({ top: 0 }));
    const jump = alice.page.getByRole("button", { name: "Jump to newest" });
    await jump.waitFor();
    await message.fill("Alice, are you still reading?");
    await message.press("Enter");
    await alice.page.getByText("1 new message").waitFor();
    expect(await belowView(roomChat(alice.page))).toBeGreaterThan(100); // she stays where she reads
    await jump.click();
    await expect.poll(() => belowView(roomChat(alice.page))).toBeLessThan(2);
    await jump.waitFor({ state: "hidden" });
  });

  await scenario.step(
    "Bob opens a private chat with Alice and his narrower feed stays on the newest",
    async () => {
      const before = await roomChat(bob.page).evaluate((el) => el.clientWidth);
      await bob.page.getByRole("button", { name: "Private chat with Alice" }).click();
      const chat = privateChat(bob.page, "Alice");
      await chat.waitFor();
      await expect
        .poll(() => roomChat(bob.page).evaluate((el) => el.clientHeight))
        .toBeLessThan(before - 100);
      await expect.poll(() => belowView(roomChat(bob.page))).toBeLessThan(2);
      await expect.poll(() => isFocused(chat.getByRole("textbox", { name: "Private message" }))).toBe(true);
      // Beside a private chat on a laptop (1100 and 1024 px), the room's feed and the chat both stay
      // readable, and no member's name breaks across lines.
      for (const width of [1100, 1024]) {
        await bob.page.setViewportSize({ width, height: 760 });
        await expect.poll(() => widthOf(roomChat(bob.page))).toBeGreaterThanOrEqual(300);
        expect(await widthOf(chat)).toBeGreaterThanOrEqual(300);
        for (const name of ["Alice", "Bob"]) {
          await memberItem(bob.page, name).hover();
          expect(await wraps(memberItem(bob.page, name).locator(".member-name"))).toBe(false);
        }
      }
      await bob.page.setViewportSize(LAPTOP);
      await privateChat(alice.page, "Bob").waitFor();
      await expectNoAxeViolations(alice.page, "private chat (phone)");
      await expectNoAxeViolations(bob.page, "private chat (laptop)");
    },
  );

  await scenario.step("Bob calls and Alice declines with Escape", async () => {
    await bob.page.getByRole("button", { name: "Video call" }).click();
    const incoming = alice.page.getByRole("alertdialog", { name: "Incoming call from Bob" });
    await incoming.waitFor();
    await alice.page.keyboard.press("Escape");
    await incoming.waitFor({ state: "hidden" });
    await expect.poll(() => announcements(bob.page)).toContain("Alice declined the call");
    const box = privateChat(alice.page, "Bob").getByRole("textbox", { name: "Private message" });
    await expect.poll(() => isFocused(box)).toBe(true);
  });

  await scenario.step("Bob calls again, Alice accepts on her phone and lands on Hang up", async () => {
    await callAndAccept(bob.page, alice.page, "Bob");
    await expect.poll(() => isFocused(alice.page.getByRole("button", { name: "Hang up" }))).toBe(true);
    await Promise.all([expectFlowingVideo(alice.page, "Bob"), expectFlowingVideo(bob.page, "Alice")]);
    // One row of controls and a one-line header, all inside the screen, nothing scrolls sideways.
    await expectFitsViewport(alice.page);
    await alice.page.setViewportSize({ width: 320, height: 640 });
    await expectFitsViewport(alice.page);
    await phoneShots(alice.page, "call-320");
    await alice.page.setViewportSize(PHONE);
    await expectNoAxeViolations(alice.page, "call (phone)");
    await expectNoAxeViolations(bob.page, "call (laptop)");
    await phoneShots(alice.page, "call");
  });

  await scenario.step("Alice hangs up and goes on writing", async () => {
    await alice.page.getByRole("button", { name: "Hang up" }).click();
    await Promise.all([expectCaptureStopped(alice.page), expectCaptureStopped(bob.page)]);
    const box = privateChat(alice.page, "Bob").getByRole("textbox", { name: "Private message" });
    await expect.poll(() => isFocused(box)).toBe(true);
  });

  await scenario.step("Alice closes the chat and is back on Bob in the member list", async () => {
    await privateChat(alice.page, "Bob").getByRole("button", { name: "Close chat" }).click();
    const backTo = alice.page.getByRole("button", { name: "Private chat with Bob" });
    await expect.poll(() => isFocused(backTo)).toBe(true);
  });

  expect(scenario.pageErrors()).toEqual([]);
});
