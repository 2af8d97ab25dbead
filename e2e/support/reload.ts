// What a reload mid-call looks like from the pages: what the others' pages showed meanwhile (watched
// in the page, so a state that lasts a few frames is not missed), and when media flows again.
import type { Page } from "playwright-core";
import { MEDIA_TIMEOUT } from "./stage.js";

interface Watch {
  texts: Record<string, boolean>;
  /** Whether the stage ever lacked one of the watched tiles. */
  missing: string[];
}

declare global {
  interface Window {
    __e2eWatch?: Watch;
    __e2eBefore?: Map<string, { stream: MediaProvider | null; frames: number }>;
  }
}

/**
 * From now on, records in the page whether any of `texts` ever appears in it, and whether the call
 * stage ever lacks a tile named one of `tiles` (checked at every DOM change, not by polling).
 */
export async function watchPage(page: Page, texts: string[], tiles: string[]): Promise<void> {
  await page.evaluate(
    ({ texts, tiles }) => {
      const watch: Watch = { texts: Object.fromEntries(texts.map((text) => [text, false])), missing: [] };
      window.__e2eWatch = watch;
      const check = () => {
        const body = document.body.textContent ?? "";
        for (const text of texts) if (body.includes(text)) watch.texts[text] = true;
        const stage = document.querySelector('[role="region"][aria-label="Call"]');
        for (const name of tiles) {
          const present = stage?.querySelector(`[role="group"][aria-label="${name}"]`);
          if (!present && !watch.missing.includes(name)) watch.missing.push(name);
        }
      };
      new MutationObserver(check).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
      check();
    },
    { texts, tiles },
  );
}

/** What the page showed since watchPage. */
export function watched(page: Page): Promise<Watch> {
  return page.evaluate(() => window.__e2eWatch ?? { texts: {}, missing: [] });
}

/**
 * Remembers what each tile's <video> plays now and how many frames it has shown, so that freshFrames
 * waits for a new stream, or for new frames on the same one (the SFU may reuse a receiver's track).
 */
export async function markTiles(page: Page): Promise<void> {
  await page.evaluate(() => {
    const before = new Map<string, { stream: MediaProvider | null; frames: number }>();
    for (const tile of document.querySelectorAll('[role="region"][aria-label="Call"] [role="group"]')) {
      const video = tile.querySelector("video");
      const frames = video?.getVideoPlaybackQuality().totalVideoFrames ?? 0;
      before.set(tile.getAttribute("aria-label") ?? "", { stream: video?.srcObject ?? null, frames });
    }
    window.__e2eBefore = before;
  });
}

/**
 * Waits until the tile of every one of `names` shows frames markTiles had not seen: a new stream (on a
 * reloaded page: any) with a size and decoded frames, or more frames on the same one. Marked once the
 * reloaded page has loaded (its old page sends nothing more), this is media flowing again.
 */
export async function freshFrames(page: Page, names: string[]): Promise<void> {
  await page.waitForFunction(
    (names) => {
      const stage = document.querySelector('[role="region"][aria-label="Call"]');
      return names.every((name) => {
        const video = stage?.querySelector<HTMLVideoElement>(`[role="group"][aria-label="${name}"] video`);
        if (!video?.srcObject || video.videoWidth === 0) return false;
        const frames = video.getVideoPlaybackQuality().totalVideoFrames;
        const before = window.__e2eBefore?.get(name);
        return before?.stream === video.srcObject ? frames > before.frames + 5 : frames > 0;
      });
    },
    names,
    { polling: "raf", timeout: MEDIA_TIMEOUT.timeout },
  );
}

/**
 * Clicks "Rejoin call" if the reloaded page shows it (the browser wanted a gesture before playing
 * or opening devices), until `done` settles; resolves with whether it was needed.
 */
export async function rejoinIfAsked(page: Page, done: Promise<unknown>): Promise<boolean> {
  const button = page.getByRole("button", { name: "Rejoin call", exact: true });
  let settled = false;
  void done.finally(() => (settled = true)).catch(() => undefined);
  while (!settled) {
    if (await button.isVisible().catch(() => false)) {
      await button.click();
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** Each tile's video as the page shows it now, for a failure message: "Bob 640x480 123 frames (same stream)". */
export function tileVideos(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('[role="region"][aria-label="Call"] [role="group"]')].map((tile) => {
      const name = tile.getAttribute("aria-label") ?? "";
      const video = tile.querySelector("video");
      if (!video?.srcObject) return `${name}: no stream`;
      const same = window.__e2eBefore?.get(name)?.stream === video.srcObject ? "same" : "new";
      const frames = video.getVideoPlaybackQuality().totalVideoFrames;
      return `${name}: ${video.videoWidth}x${video.videoHeight} ${frames} frames (${same} stream, ${window.__e2eBefore?.get(name)?.frames ?? "-"} before)`;
    }),
  );
}
