// The private chat and its video call as a person sees them, and what the media must do meanwhile:
// frames keep arriving during a call, and nothing captures after it.
import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { capturedTracks, framesDecoded, videoState, videoTracks } from "./media.js";
import { textOf } from "./ui.js";

/** WebRTC over loopback connects within a second or two; two CPUs running several Chromiums need more. */
export const MEDIA_TIMEOUT = { timeout: 20_000 };

/** "Call: connected", also when a duration follows without a space; never "disconnected". */
export const CONNECTED = /(?<![a-z])connected(?![a-z])/i;

export const privateChat = (page: Page, partner: string): Locator =>
  page.getByRole("region", { name: `Private chat with ${partner}` });

/** The <video> a person sees their partner in (a video element has no role; its label names it). */
export const remoteVideo = (page: Page): Locator =>
  page.getByLabel("Remote video", { exact: true }).and(page.locator("video"));
export const localVideo = (page: Page): Locator =>
  page.getByLabel("Local video", { exact: true }).and(page.locator("video"));

/** Live regions only: what a screen reader would announce. */
export const announcements = (page: Page): Promise<string> =>
  textOf(page.getByRole("status").or(page.getByRole("alert")));

export async function sendPrivately(page: Page, partner: string, text: string): Promise<void> {
  const chat = privateChat(page, partner);
  await chat.getByRole("textbox", { name: "Private message" }).fill(text);
  await chat.getByRole("button", { name: "Send" }).click();
}

/** The private log of the chat with `partner`, as a reader sees it. */
export const privateLogText = (page: Page, partner: string): Promise<string> =>
  textOf(privateChat(page, partner).getByRole("log"));

/** Frames keep coming: the remote video has a size, and the decoder counter and the element's presented frames both move on. */
export async function expectFlowingVideo(page: Page): Promise<void> {
  await expect
    .poll(async () => (await videoState(remoteVideo(page))).width, MEDIA_TIMEOUT)
    .toBeGreaterThan(0);
  await expect.poll(() => framesDecoded(page), MEDIA_TIMEOUT).toBeGreaterThan(0);
  const decoded = await framesDecoded(page);
  const presented = (await videoState(remoteVideo(page))).frames;
  await expect.poll(() => framesDecoded(page), MEDIA_TIMEOUT).toBeGreaterThan(decoded + 10);
  await expect.poll(async () => (await videoState(remoteVideo(page))).frames).toBeGreaterThan(presented);
}

/** After a call nothing captures: no getUserMedia track (or clone) is live, and "Local video" shows none. */
export async function expectCaptureStopped(page: Page): Promise<void> {
  await expect.poll(async () => (await capturedTracks(page)).live, MEDIA_TIMEOUT).toEqual([]);
  const local = localVideo(page);
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
