// The private chat and its video call as a person sees them, and what the media must do meanwhile:
// frames keep arriving during a call, and nothing captures after it.
import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { capturedTracks, framesDecoded, videoState, videoTracks } from "./media.js";
import { MEDIA_TIMEOUT, selfTile, tileVideo } from "./stage.js";
import { textOf } from "./ui.js";

export { MEDIA_TIMEOUT } from "./stage.js";

/** "Call: connected", also when a duration follows without a space; never "disconnected". */
export const CONNECTED = /(?<![a-z])connected(?![a-z])/i;

export const privateChat = (page: Page, partner: string): Locator =>
  page.getByRole("region", { name: `Private chat with ${partner}` });

/** Live regions only: what a screen reader would announce. */
export const announcements = (page: Page): Promise<string> =>
  textOf(page.getByRole("status").or(page.getByRole("alert")));

export async function sendPrivately(page: Page, partner: string, text: string): Promise<void> {
  const chat = privateChat(page, partner);
  await chat.getByRole("textbox", { name: "Private message" }).fill(text);
  await chat.getByRole("button", { name: "Send", exact: true }).click();
}

/** The private log of the chat with `partner`, as a reader sees it. */
export const privateLogText = (page: Page, partner: string): Promise<string> =>
  textOf(privateChat(page, partner).getByRole("log"));

/**
 * Frames keep coming from `from`: their tile's video has a size, and the decoder counter and the
 * element's presented frames both move on.
 */
export async function expectFlowingVideo(page: Page, from: string): Promise<void> {
  const video = tileVideo(page, from);
  await expect.poll(async () => (await videoState(video)).width, MEDIA_TIMEOUT).toBeGreaterThan(0);
  await expect.poll(() => framesDecoded(page), MEDIA_TIMEOUT).toBeGreaterThan(0);
  const decoded = await framesDecoded(page);
  const presented = (await videoState(video)).frames;
  await expect.poll(() => framesDecoded(page), MEDIA_TIMEOUT).toBeGreaterThan(decoded + 10);
  await expect.poll(async () => (await videoState(video)).frames, MEDIA_TIMEOUT).toBeGreaterThan(presented);
}

/** After a call nothing captures: no getUserMedia track (or clone) is live, and no self-view shows one. */
export async function expectCaptureStopped(page: Page): Promise<void> {
  await expect.poll(async () => (await capturedTracks(page)).live, MEDIA_TIMEOUT).toEqual([]);
  const local = selfTile(page).locator("video");
  if ((await local.count()) > 0) {
    const tracks = await videoTracks(local);
    expect(tracks?.filter((track) => track.readyState !== "ended") ?? []).toEqual([]);
  }
}

/** The caller presses "Video call"; the callee accepts in the incoming-call dialog. */
export async function callAndAccept(caller: Page, callee: Page, callerName: string): Promise<void> {
  await caller.getByRole("button", { name: "Video call" }).click();
  const incoming = callee.getByRole("alertdialog", { name: `Incoming call from ${callerName}` });
  await incoming.waitFor();
  await incoming.getByRole("button", { name: "Accept" }).click();
  await incoming.waitFor({ state: "hidden" });
}
