// The app's screens in the words a person (or a screen reader) uses: roles and accessible names.
import type { Locator, Page } from "playwright-core";

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const squash = (text: string) => text.replace(/\s+/g, " ").trim();

/** Fills the join form and presses Join; does not wait for the outcome. */
export async function submitJoin(page: Page, name: string, room: string): Promise<void> {
  await page.getByRole("textbox", { name: "Display name" }).fill(name);
  await page.getByRole("combobox", { name: "Room" }).selectOption(room);
  await page.getByRole("button", { name: "Join" }).click();
}

/** Joins and waits until the room screen lists the user (unfolding the list on a phone). */
export async function join(page: Page, name: string, room: string): Promise<void> {
  await submitJoin(page, name, room);
  await page.waitForURL(`**/room/${room}`);
  await showMembers(page);
  await memberItem(page, name).waitFor();
}

/** The member list's heading button, which shows the count and folds the list: "In this room 3 members". */
export function membersToggle(page: Page): Locator {
  return page.getByRole("button", { name: /^In this room \d+ members?$/ });
}

/** Unfolds the member list if it is folded (as it starts on a phone). */
export async function showMembers(page: Page): Promise<void> {
  const toggle = membersToggle(page);
  if ((await toggle.getAttribute("aria-expanded")) === "false") await toggle.click();
}

export function memberList(page: Page): Locator {
  return page.getByRole("list", { name: "Members" });
}

/** The member row of `name` ("Bob online", "Alice (you) absent"). */
export function memberItem(page: Page, name: string): Locator {
  return memberList(page)
    .getByRole("listitem")
    .filter({ hasText: new RegExp(`^\\s*${escape(name)}\\b`) });
}

/**
 * What each member row says, without the labels of its controls (a "Chat" button), whitespace
 * squashed: ["Alice (you) online", "Bob absent busy"]. Does not wait.
 */
export async function memberTexts(page: Page): Promise<string[]> {
  const texts = await memberList(page)
    .getByRole("listitem")
    .evaluateAll((items) =>
      items.map((item) => {
        const copy = item.cloneNode(true) as HTMLElement;
        for (const control of copy.querySelectorAll("button, input, select, textarea")) control.remove();
        return copy.textContent ?? "";
      }),
    );
  return texts.map(squash);
}

/**
 * A button of the room switcher; its name is the room, with its unread count when there is one
 * ("SPORTS, 3 unread"); its text shows the occupancy too ("SPORTS (1) 3").
 */
export function roomButton(page: Page, room: string): Locator {
  return page.getByRole("navigation", { name: "Rooms" }).getByRole("button", {
    name: new RegExp(`^${escape(room)}\\b`),
  });
}

export function roomChat(page: Page): Locator {
  return page.getByRole("log", { name: "Room chat" });
}

/** The rendered text of a region or log, one line per block, as a reader sees it. Does not wait. */
export async function textOf(locator: Locator): Promise<string> {
  return (await locator.allInnerTexts()).join("\n");
}

/**
 * "Served by app1": which instance serves the tab, from the footer's Diagnostics view, which this
 * opens first if it is closed. Does not wait for the text.
 */
export async function servedBy(page: Page): Promise<string> {
  const toggle = page.getByRole("contentinfo").getByRole("button", { name: "Diagnostics" });
  if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  return squash((await page.locator("#diagnostics").textContent()) ?? "");
}

/** Whether keyboard focus is on the element. */
export function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => element === document.activeElement);
}
