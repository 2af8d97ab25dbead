// Two people in two browsers share a room: they see each other, their status, their messages, a
// name the server refuses, a room switch and a leave, each in the other's browser.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { User } from "./support/browser.js";
import { Scenario } from "./support/scenario.js";
import {
  isFocused,
  join,
  memberItem,
  memberTexts,
  roomButton,
  roomChat,
  submitJoin,
  textOf,
} from "./support/ui.js";

let scenario: Scenario;

beforeAll(async () => {
  scenario = await Scenario.start("room");
});

afterAll(async () => {
  await scenario?.close();
});

it("shows two people each other's presence, status, messages, room moves and leaving", async () => {
  let alice!: User;
  let bob!: User;

  await scenario.step("Alice and Bob open the app", async () => {
    [alice, bob] = await Promise.all([scenario.open("Alice"), scenario.open("Bob")]);
    for (const { page } of [alice, bob]) {
      await page.getByRole("textbox", { name: "Display name" }).waitFor();
      await page.getByRole("button", { name: "Join" }).waitFor();
    }
  });

  await scenario.step("Alice joins GENERAL", async () => {
    await join(alice.page, "Alice", "GENERAL");
    expect(await memberTexts(alice.page)).toEqual(["Alice (you) online"]);
    // Not on the page body: where she goes next, the message box.
    await expect.poll(() => isFocused(alice.page.getByRole("textbox", { name: "Message" }))).toBe(true);
  });

  await scenario.step("Bob joins GENERAL and they see each other", async () => {
    await join(bob.page, "Bob", "GENERAL");
    await expect.poll(() => memberTexts(alice.page)).toContain("Bob online");
    await expect.poll(() => memberTexts(bob.page)).toContain("Alice online");
    expect(await memberTexts(bob.page)).toContain("Bob (you) online");
  });

  await scenario.step("Bob sets his status to Absent", async () => {
    await bob.page.getByRole("combobox", { name: "Status" }).selectOption({ label: "Absent" });
    await expect.poll(() => memberItem(alice.page, "Bob").textContent()).toMatch(/\babsent\b/);
    await expect.poll(() => memberTexts(bob.page)).toContain("Bob (you) absent");
    // The member list says it; the conversation is not interrupted by it.
    expect(await textOf(roomChat(alice.page))).toContain("Bob joined");
    expect(await textOf(roomChat(alice.page))).not.toMatch(/absent/);
  });

  await scenario.step("Alice sends a message with the Send button", async () => {
    const message = alice.page.getByRole("textbox", { name: "Message" });
    await message.fill("Hello Bob, anyone up for a match?");
    await alice.page.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => textOf(roomChat(bob.page))).toContain("Hello Bob, anyone up for a match?");
    await expect.poll(() => textOf(roomChat(alice.page))).toContain("Hello Bob, anyone up for a match?");
    expect(await message.inputValue()).toBe("");
  });

  await scenario.step("Bob answers with the Enter key, with a link Alice can follow", async () => {
    const message = bob.page.getByRole("textbox", { name: "Message" });
    await message.fill("Count me in! Rules: https://example.com/rules?x=1");
    await message.press("Enter");
    await expect.poll(() => textOf(roomChat(alice.page))).toContain("Count me in!");
    expect(await message.inputValue()).toBe("");
    const link = roomChat(alice.page).getByRole("link", { name: "https://example.com/rules?x=1" });
    expect(await link.getAttribute("href")).toBe("https://example.com/rules?x=1");
    expect(await link.getAttribute("target")).toBe("_blank");
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
  });

  await scenario.step("Carol cannot take Alice's name in another case", async () => {
    const carol = await scenario.open("Carol");
    await submitJoin(carol.page, "aLICE", "GENERAL");
    await expect
      .poll(() => carol.page.getByRole("alert").allTextContents())
      .toContainEqual(expect.stringMatching(/taken/i));
    const name = carol.page.getByRole("textbox", { name: "Display name" });
    expect(await name.getAttribute("aria-invalid")).toBe("true");
    expect(new URL(carol.page.url()).pathname).toBe("/");
    expect(await memberTexts(alice.page)).not.toContainEqual(expect.stringMatching(/^aLICE/));
    await scenario.dismiss(carol);
  });

  await scenario.step("Bob moves to SPORTS", async () => {
    await roomButton(bob.page, "SPORTS").click();
    await bob.page.waitForURL("**/room/SPORTS");
    await expect.poll(() => memberTexts(bob.page)).toEqual(["Bob (you) absent"]);
    await expect.poll(() => memberTexts(alice.page)).toEqual(["Alice (you) online"]);
    await expect.poll(() => roomButton(alice.page, "SPORTS").textContent()).toContain("(1)");
    await expect.poll(() => roomButton(alice.page, "GENERAL").textContent()).toContain("(1)");
  });

  await scenario.step("Bob comes back to GENERAL", async () => {
    await roomButton(bob.page, "GENERAL").click();
    await bob.page.waitForURL("**/room/GENERAL");
    await expect.poll(() => memberTexts(alice.page)).toContain("Bob absent");
    await expect.poll(() => roomButton(alice.page, "GENERAL").textContent()).toContain("(2)");
  });

  await scenario.step("Bob leaves and Alice sees him gone", async () => {
    await bob.page.getByRole("button", { name: "Leave" }).click();
    await bob.page.getByRole("textbox", { name: "Display name" }).waitFor();
    expect(new URL(bob.page.url()).pathname).toBe("/");
    await expect.poll(() => memberTexts(alice.page)).toEqual(["Alice (you) online"]);
  });

  expect(scenario.pageErrors()).toEqual([]);
});
