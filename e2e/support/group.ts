// The room's group call as a person sees it: the bar that says who is in it and offers "Start group
// call" or "Join group call", an invitation to it, the member list's "Invite <name> to the call", and
// leaving. The stage itself is in stage.ts (the same for 1:1 and group calls).
import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { callStage, expectTiles, MEDIA_TIMEOUT } from "./stage.js";
import { memberItem, showMembers } from "./ui.js";

/** "Group call: Alice, Bob (2 of 6)", or "" while no call is on. Does not wait. */
export async function groupCallLine(page: Page): Promise<string> {
  const line = page.getByText(/^Group call: /);
  return (await line.count()) > 0 ? ((await line.textContent()) ?? "").trim() : "";
}

/** The live region that says why the last attempt failed, or what came of an invitation. */
export const groupNotices = (page: Page): Locator =>
  page.getByRole("status", { name: "Group call notices", exact: true });

/** Presses "Start group call" and waits for the stage with oneself on it. */
export async function startGroupCall(page: Page, self: string): Promise<void> {
  await page.getByRole("button", { name: "Start group call", exact: true }).click();
  await expectTiles(page, [`${self} (you)`]);
}

/** Presses "Join group call" and waits for the stage; `expected` are the others already in the call. */
export async function joinGroupCall(page: Page, self: string, expected: string[]): Promise<void> {
  await page.getByRole("button", { name: "Join group call", exact: true }).click();
  await expectTiles(page, [...expected, `${self} (you)`]);
}

/** The participant presses "Invite <name> to the call" in the member list. */
export async function inviteToCall(page: Page, name: string): Promise<void> {
  await showMembers(page);
  await page.getByRole("button", { name: `Invite ${name} to the call`, exact: true }).click();
}

export const groupInvitation = (page: Page, from: string): Locator =>
  page.getByRole("alertdialog", { name: `Group call invitation from ${from}` });

/** The invitee answers the invitation from `from` with "Join" or "Decline". */
export async function answerInvitation(page: Page, from: string, answer: "Join" | "Decline"): Promise<void> {
  const dialog = groupInvitation(page, from);
  await dialog.waitFor();
  await dialog.getByRole("button", { name: answer, exact: true }).click();
  await dialog.waitFor({ state: "hidden" });
}

/** Presses "Leave call" and waits for the stage to go. */
export async function leaveGroupCall(page: Page): Promise<void> {
  await callStage(page).getByRole("button", { name: "Leave call", exact: true }).click();
  await callStage(page).waitFor({ state: "detached" });
}

/** Whether the member list marks `name` as in the call (the row reads "Bob online in call"). */
export async function expectInCall(page: Page, name: string, inCall = true): Promise<void> {
  await showMembers(page);
  const row = memberItem(page, name);
  const check = expect.poll(async () => /\bin call\b/.test((await row.textContent()) ?? ""), MEDIA_TIMEOUT);
  await (inCall ? check.toBe(true) : check.toBe(false));
}

/**
 * Presses "Join group call" and resolves with the ms until a decoded frame from each of `others` is on
 * the stage (the browser-side clock, checked every animation frame). For printing, not asserting.
 */
export async function timeJoinToFrames(page: Page, others: string[]): Promise<number> {
  const button = page.getByRole("button", { name: "Join group call", exact: true });
  await button.waitFor();
  const done = page.waitForFunction(
    (names) => {
      const stage = document.querySelector('[role="region"][aria-label="Call"]');
      const decoded = (name: string) => {
        const tile = stage?.querySelector(`[role="group"][aria-label="${name}"]`);
        const video = tile?.querySelector("video");
        return !!video && video.videoWidth > 0 && video.getVideoPlaybackQuality().totalVideoFrames > 0;
      };
      return names.every(decoded) && performance.now();
    },
    others,
    { polling: "raf", timeout: MEDIA_TIMEOUT.timeout },
  );
  const pressedAt = await page.evaluate(() => performance.now());
  await button.click();
  return ((await (await done).jsonValue()) as number) - pressedAt;
}
