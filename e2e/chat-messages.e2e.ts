// Chat people expect in 2026, across two instances behind nginx: Alice (app1) and Bob (app2) react
// with the Emoji picker, reply with a quote, edit with the Up arrow and delete; Carol joins late and
// sees the same; a private chat closed and reopened still shows its history. Axe-clean, with
// screenshots at 1280×800 and 390×844, light and dark.
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectNoAxeViolations } from "./support/axe.js";
import { PHONE, screenshot, type User } from "./support/browser.js";
import { privateChat, privateLogText, sendPrivately } from "./support/call.js";
import { startClusterApp, type ClusterApp } from "./support/cluster.js";
import { aliceAndBobApart } from "./support/pair.js";
import { Scenario } from "./support/scenario.js";
import { join, roomChat, textOf } from "./support/ui.js";

let scenario: Scenario<ClusterApp>;

beforeAll(async () => {
  scenario = await Scenario.on("chat-messages", () => startClusterApp(2));
});

afterAll(async () => {
  await scenario?.close();
});

/** The message of `log` (the room chat unless given) whose own text says `text` (not a quote of it). */
const messageItem = (page: Page, text: string, log: Locator = roomChat(page)): Locator =>
  log.locator("li.message").filter({ has: page.locator(".message-text", { hasText: text }) });

/** Shows the message's toolbar (as a pointer over it does) and presses one of its buttons. */
async function act(item: Locator, action: "Add reaction" | "Reply" | "Edit" | "Delete"): Promise<void> {
  await item.hover();
  await item.getByRole("button", { name: action, exact: true }).click();
}

/** Opens the Emoji dialog from `item` and picks the emoji found by `search`. */
async function react(page: Page, item: Locator, search: string, emoji: string): Promise<void> {
  await act(item, "Add reaction");
  const dialog = page.getByRole("dialog", { name: "Emoji" });
  await dialog.getByRole("combobox").fill(search);
  // Search results are options named "<emoji>, <annotation>, <shortcodes>".
  await dialog
    .getByRole("option", { name: new RegExp(`^${emoji}\uFE0F?, `) })
    .first()
    .click();
  await dialog.waitFor({ state: "hidden" });
}

async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill(text);
  await box.press("Enter");
  await messageItem(page, text).waitFor();
}

/** Both colour schemes of what the window shows, for a look at the screen. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await screenshot(page, `chat-messages/${name}-${colorScheme}`, { fullPage: false });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

it("reacts, replies, edits and deletes across instances, seen by a late joiner; private history lasts", async () => {
  let alice!: User;
  let bob!: User;

  await scenario.step("Alice on app1 and Bob on app2 join GENERAL", async () => {
    [alice, bob] = await aliceAndBobApart(scenario);
    await alice.page.setViewportSize({ width: 1280, height: 800 });
  });

  await scenario.step(
    "Alice asks a question and Bob reacts with a thumbs up from the Emoji dialog",
    async () => {
      await send(alice.page, "Lunch at noon?");
      const onBob = messageItem(bob.page, "Lunch at noon?");
      await onBob.waitFor();
      await react(bob.page, onBob, "thumbs up", "👍");
      const chip = messageItem(alice.page, "Lunch at noon?").locator(".chip");
      await expect.poll(() => chip.getAttribute("aria-label")).toBe("👍 1: Bob");
    },
  );

  await scenario.step("Alice adds hers by clicking the chip", async () => {
    await messageItem(alice.page, "Lunch at noon?").getByRole("button", { name: "👍 1: Bob" }).click();
    const chip = messageItem(bob.page, "Lunch at noon?").getByRole("button", { name: "👍 2: Bob, Alice" });
    await chip.waitFor();
    expect(await chip.getAttribute("aria-pressed")).toBe("true");
  });

  await scenario.step("Bob replies, quoting Alice's message", async () => {
    await act(messageItem(bob.page, "Lunch at noon?"), "Reply");
    await bob.page.getByText("Replying to Alice").waitFor();
    const box = bob.page.getByRole("textbox", { name: "Message" });
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    await box.fill("Yes, the usual place");
    await box.press("Enter");
    const quote = messageItem(alice.page, "Yes, the usual place").getByRole("button", {
      name: "Reply to Alice: Lunch at noon?",
    });
    await quote.click();
    await expect
      .poll(() => messageItem(alice.page, "Lunch at noon?").evaluate((el) => el === document.activeElement))
      .toBe(true);
    await shoot(alice.page, "desktop-room");
  });

  await scenario.step("Alice edits her question with the Up arrow", async () => {
    const box = alice.page.getByRole("textbox", { name: "Message" });
    await box.click();
    await box.press("ArrowUp");
    await alice.page.getByText("Editing your message").waitFor();
    expect(await box.inputValue()).toBe("Lunch at noon?");
    await box.fill("Lunch at 12:30?");
    await box.press("Enter");
    const edited = messageItem(bob.page, "Lunch at 12:30?");
    await expect.poll(() => textOf(edited)).toContain("(edited)");
    await messageItem(bob.page, "Yes, the usual place")
      .getByRole("button", { name: "Reply to Alice: Lunch at 12:30?" })
      .waitFor();
    expect(await box.inputValue()).toBe("");
  });

  await scenario.step("Alice sends a slip and deletes it", async () => {
    await send(alice.page, "wrong room, sorry");
    await messageItem(bob.page, "wrong room, sorry").waitFor();
    await act(messageItem(alice.page, "wrong room, sorry"), "Delete");
    // It asks first, as Slack and Discord do; Cancel keeps the message.
    const confirm = alice.page.getByRole("alertdialog", { name: "Delete message" });
    await confirm.getByRole("button", { name: "Cancel" }).waitFor();
    await expectNoAxeViolations(alice.page, "Delete message dialog");
    await shoot(alice.page, "desktop-delete");
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await confirm.waitFor({ state: "hidden" });
    expect(await textOf(roomChat(alice.page))).toContain("wrong room, sorry");
    await act(messageItem(alice.page, "wrong room, sorry"), "Delete");
    await confirm.getByRole("button", { name: "Delete", exact: true }).click();
    for (const { page } of [alice, bob]) {
      await expect.poll(() => textOf(roomChat(page))).not.toContain("wrong room, sorry");
      await expect.poll(() => textOf(roomChat(page))).toContain("Message deleted");
    }
  });

  await scenario.step("Carol joins late and sees the same conversation", async () => {
    const carol = await scenario.open("Carol");
    await join(carol.page, "Carol", "GENERAL");
    const log = roomChat(carol.page);
    await messageItem(carol.page, "Lunch at 12:30?")
      .getByRole("button", { name: "👍 2: Bob, Alice" })
      .waitFor();
    const text = await textOf(log);
    expect(text).toContain("(edited)");
    expect(text).toContain("Message deleted");
    expect(text).not.toContain("wrong room");
    expect(text).not.toContain("Lunch at noon?");
    await messageItem(carol.page, "Yes, the usual place")
      .getByRole("button", { name: "Reply to Alice: Lunch at 12:30?" })
      .waitFor();
    await scenario.dismiss(carol);
  });

  await scenario.step("The toolbar, the reply bar and the Emoji dialog pass axe", async () => {
    const item = messageItem(bob.page, "Lunch at 12:30?");
    await act(item, "Reply");
    await item.hover();
    await expectNoAxeViolations(bob.page, "room with the message toolbar and the reply bar");
    await bob.page.getByRole("button", { name: "Cancel reply" }).click();
    await act(item, "Add reaction");
    const dialog = bob.page.getByRole("dialog", { name: "Emoji" });
    await dialog.getByRole("combobox").waitFor();
    await expectNoAxeViolations(bob.page, "Emoji dialog");
    await shoot(bob.page, "desktop-emoji");
    await bob.page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
  });

  await scenario.step("A private chat closed and reopened shows its history", async () => {
    await alice.page.getByRole("button", { name: "Private chat with Bob" }).click();
    await privateChat(bob.page, "Alice").waitFor();
    await sendPrivately(alice.page, "Bob", "Keep this between us");
    await expect.poll(() => privateLogText(bob.page, "Alice")).toContain("Keep this between us");
    await sendPrivately(bob.page, "Alice", "Sure thing");
    await expect.poll(() => privateLogText(alice.page, "Bob")).toContain("Sure thing");
    await privateChat(alice.page, "Bob").getByRole("button", { name: "Close chat" }).click();
    await expect.poll(() => textOf(privateChat(bob.page, "Alice"))).toContain("Alice has closed the chat");
    await privateChat(bob.page, "Alice").getByRole("button", { name: "Close chat" }).click();

    await bob.page.getByRole("button", { name: "Private chat with Alice" }).click();
    await privateChat(alice.page, "Bob").waitFor();
    for (const [page, partner] of [
      [alice.page, "Bob"],
      [bob.page, "Alice"],
    ] as const) {
      await expect.poll(() => privateLogText(page, partner)).toContain("Keep this between us");
      await expect.poll(() => privateLogText(page, partner)).toContain("Sure thing");
    }
    const mine = messageItem(alice.page, "Sure thing", privateChat(alice.page, "Bob"));
    await react(alice.page, mine, "red heart", "❤");
    await privateChat(bob.page, "Alice")
      .getByRole("button", { name: /^❤️? 1: Alice$/ })
      .waitFor();
    await expectNoAxeViolations(alice.page, "private chat with its history");
    await shoot(alice.page, "desktop-private");
  });

  await scenario.step("On a phone", async () => {
    await alice.page.setViewportSize(PHONE);
    await roomChat(alice.page).scrollIntoViewIfNeeded();
    await messageItem(alice.page, "Yes, the usual place").hover();
    await shoot(alice.page, "phone-room");
    await act(messageItem(alice.page, "Lunch at 12:30?"), "Delete");
    const confirm = alice.page.getByRole("alertdialog", { name: "Delete message" });
    await confirm.getByRole("button", { name: "Cancel" }).waitFor();
    await shoot(alice.page, "phone-delete");
    await alice.page.keyboard.press("Escape");
    await confirm.waitFor({ state: "hidden" });
    await privateChat(alice.page, "Bob").scrollIntoViewIfNeeded();
    await shoot(alice.page, "phone-private");
  });

  expect(scenario.pageErrors()).toEqual([]);
  // Many steps with two browsers, axe and screenshots: well past the 90 s default on a busy machine.
}, 300_000);
