// The call stage as a person sees it (1:1 and group alike): the region "Call" with one tile per
// person ("Bob", "Alice (you)") and per screen share ("Alice's screen"), badges, controls, and the
// Call settings panel; plus what the browser's media does behind a tile.
import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { videoState } from "./media.js";

/** WebRTC over loopback connects within a second or two; two CPUs running several Chromiums need more. */
export const MEDIA_TIMEOUT = { timeout: 20_000 };

export const callStage = (page: Page): Locator => page.getByRole("region", { name: "Call", exact: true });

/** The tile named `name` exactly: a person ("Bob"), oneself ("Alice (you)"), a share ("Alice's screen"). */
export const tile = (page: Page, name: string): Locator =>
  callStage(page).getByRole("group", { name, exact: true });

export const selfTile = (page: Page): Locator => callStage(page).getByRole("group", { name: / \(you\)$/ });

/** The <video> of a tile (a video element has no role; it sits inside its tile). */
export const tileVideo = (page: Page, name: string): Locator => tile(page, name).locator("video");

/** The names of the stage's tiles in order, oneself last. Does not wait. */
export async function tileNames(page: Page): Promise<string[]> {
  const tiles = callStage(page).getByRole("group");
  return (await tiles.evaluateAll((groups) => groups.map((g) => g.getAttribute("aria-label") ?? ""))).sort();
}

/** Waits until the stage shows exactly these tiles (any order). */
export async function expectTiles(page: Page, names: string[]): Promise<void> {
  await expect.poll(() => tileNames(page), MEDIA_TIMEOUT).toEqual([...names].sort());
}

/** The muted-microphone badge on someone's tile. */
export const mutedBadge = (page: Page, name: string): Locator =>
  tile(page, name).getByRole("img", { name: "Microphone off" });

/** Whether a tile shows the person's initials instead of their video (their camera is off). */
export const showsInitials = (page: Page, name: string): Promise<boolean> =>
  tile(page, name).evaluate((el) => el.classList.contains("camera-off"));

/** Frames keep coming into a tile: its video has a size, and the frames it presented move on. */
export async function expectFramesIn(page: Page, name: string, frames = 10): Promise<void> {
  const video = tileVideo(page, name);
  await expect.poll(async () => (await videoState(video)).width, MEDIA_TIMEOUT).toBeGreaterThan(0);
  const presented = (await videoState(video)).frames;
  await expect
    .poll(async () => (await videoState(video)).frames, MEDIA_TIMEOUT)
    .toBeGreaterThan(presented + frames);
}

export const stageButton = (page: Page, name: string): Locator =>
  callStage(page).getByRole("button", { name, exact: true });

/** A control-bar button's label changes when pressed ("Mute microphone" -> "Unmute microphone"). */
export async function pressStage(page: Page, name: string, then: string): Promise<void> {
  await stageButton(page, name).click();
  await stageButton(page, then).waitFor();
}

/** The names of the tiles the stage highlights as speaking (none, or one). */
export const stageSpeakers = (page: Page): Promise<(string | null)[]> =>
  callStage(page)
    .getByRole("group")
    .evaluateAll((tiles) =>
      tiles.filter((t) => t.classList.contains("speaking")).map((t) => t.getAttribute("aria-label")),
    );

export const callSettings = (page: Page): Locator => page.getByRole("dialog", { name: "Call settings" });

/** Opens Call settings (from the stage during a call, the top bar before one) and waits for it. */
export async function openCallSettings(page: Page): Promise<Locator> {
  await page.getByRole("button", { name: "Call settings", exact: true }).click();
  const panel = callSettings(page);
  await panel.waitFor();
  return panel;
}

/** The options of one of the panel's selects ("Camera", "Microphone", "Speaker"): value and label. */
export function deviceOptions(panel: Locator, select: string): Promise<{ value: string; label: string }[]> {
  return panel
    .getByRole("combobox", { name: select, exact: true })
    .locator("option")
    .evaluateAll((options) =>
      options.map((o) => ({ value: (o as HTMLOptionElement).value, label: o.textContent?.trim() ?? "" })),
    );
}

/** The call's control bar: the toolbar "Call controls" on the stage. */
export const controlBar = (page: Page): Locator => page.getByRole("toolbar", { name: "Call controls" });

/** The accessible names of the control bar's buttons, in order. */
export const barButtons = (page: Page): Promise<string[]> =>
  controlBar(page)
    .getByRole("button")
    .evaluateAll((buttons) => buttons.map((b) => b.getAttribute("aria-label") ?? ""));

/**
 * The page fits the window at its current size (a phone in a call): nothing scrolls sideways
 * (document.scrollingElement.scrollWidth ≤ innerWidth), every button of the control bar and the header's
 * Room select, Status and Leave lie wholly inside the viewport, and each bar button is at least 44 px
 * square (WCAG 2.5.5's target size).
 */
export async function expectFitsViewport(page: Page): Promise<void> {
  const { scrollWidth, width, height } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement!.scrollWidth,
    width: window.innerWidth,
    height: window.innerHeight,
  }));
  expect(scrollWidth).toBeLessThanOrEqual(width);
  const header = [
    page.getByRole("combobox", { name: "Room", exact: true }),
    page.getByRole("combobox", { name: "Status", exact: true }),
    page.getByRole("button", { name: "Leave", exact: true }),
  ];
  for (const control of [...(await controlBar(page).getByRole("button").all()), ...header]) {
    const box = await control.boundingBox();
    const name = (await control.getAttribute("aria-label")) ?? (await control.textContent());
    expect(box, `${name} is shown`).not.toBeNull();
    const inside =
      box!.x >= 0 && box!.y >= 0 && box!.x + box!.width <= width && box!.y + box!.height <= height;
    expect(inside, `${name} lies inside the ${width}×${height} viewport`).toBe(true);
  }
  for (const button of await controlBar(page).getByRole("button").all()) {
    const box = (await button.boundingBox())!;
    expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(44);
  }
}

/** Opens the stage's "More" menu and lists its menu items' names (the menu stays open). */
export async function moreItems(page: Page): Promise<string[]> {
  await stageButton(page, "More").click();
  const menu = page.getByRole("menu");
  await menu.waitFor();
  return menu
    .getByRole("menuitem")
    .evaluateAll((items) => items.map((item) => item.textContent?.trim() ?? ""));
}

/** Frames each named tile's video has presented so far (-1: no such tile or video, or no size yet). */
export function tileFrames(page: Page, names: string[]): Promise<number[]> {
  return callStage(page).evaluate(
    (stage, wanted) =>
      wanted.map((name) => {
        const video = [...stage.querySelectorAll('[role="group"]')]
          .find((group) => group.getAttribute("aria-label") === name)
          ?.querySelector("video");
        return video && video.videoWidth > 0 ? video.getVideoPlaybackQuality().totalVideoFrames : -1;
      }),
    names,
  );
}

/**
 * Frames keep coming into every one of these tiles: each tile's video presents `frames` new ones
 * (counted across a replaced video or stream, whose count starts again). One look at the page per poll
 * for all tiles, so a page of many tiles is not asked once per tile. Fails naming the tiles that lag.
 * Resolves with the performance.now() (in Node) at which each tile had its frames, for printing.
 */
export async function expectFramesFromAll(
  page: Page,
  names: string[],
  frames = 10,
  options: { timeout: number } = MEDIA_TIMEOUT,
): Promise<Map<string, number>> {
  const last = new Map<string, number>();
  const seen = new Map<string, number>(names.map((name) => [name, 0]));
  const done = new Map<string, number>();
  const lagging = async () => {
    const counts = await tileFrames(page, names);
    const now = performance.now();
    names.forEach((name, i) => {
      const count = counts[i]!;
      const before = last.get(name);
      if (count >= 0 && before !== undefined && before >= 0)
        seen.set(name, seen.get(name)! + (count >= before ? count - before : count));
      last.set(name, count);
      if (seen.get(name)! >= frames && !done.has(name)) done.set(name, now);
    });
    return names.filter((name) => !done.has(name));
  };
  await expect.poll(lagging, { ...options, message: "tiles without new frames" }).toEqual([]);
  return done;
}
