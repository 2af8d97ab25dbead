// How long a 1:1 call takes to show video once the callee accepts, measured inside the two pages
// (both read the same wall clock): from the click on "Accept" to the first remote video frame each
// page's peer connections decoded (inbound-rtp framesDecoded > 0). The e2e tests print it, the bench's
// call row (e2e/bench/call-setup.ts) collects it; nothing asserts it.
import type { Page } from "playwright-core";
import { callAndAccept } from "./call.js";
import "./media.js"; // the page's peer connections, recorded by the media probe

/** A hang guard, not a speed bound: a page with no decoded frame by then fails the measurement. */
const FRAME_TIMEOUT_MS = 20_000;

declare global {
  interface Window {
    __e2eAcceptAt?: number;
    __e2eFirstFrame?: Promise<number>;
  }
}

/** In the page: from now on, the wall time of the first decoded remote video frame of an open peer connection. */
export function watchFirstFrame(): void {
  window.__e2eFirstFrame = new Promise<number>((resolve) => {
    const tick = async () => {
      for (const peer of window.__e2eMedia?.peers ?? []) {
        if (peer.connectionState === "closed") continue;
        let frames = 0;
        (await peer.getStats()).forEach((stats: { type: string; kind?: string; framesDecoded?: number }) => {
          if (stats.type === "inbound-rtp" && stats.kind === "video") frames += stats.framesDecoded ?? 0;
        });
        if (frames > 0) return resolve(Date.now());
      }
      setTimeout(() => void tick(), 5);
    };
    void tick();
  });
}

/** In the callee's page: the wall time of each click on an incoming call's Accept button. */
export function watchAccept(): void {
  document.addEventListener(
    "click",
    (event) => {
      const button = (event.target as Element | null)?.closest("button");
      if (button?.textContent?.trim() === "Accept") window.__e2eAcceptAt = Date.now();
    },
    { capture: true },
  );
}

/** The wall time watchFirstFrame saw a first frame; rejects after FRAME_TIMEOUT_MS. */
export const firstFrame = (page: Page): Promise<number> =>
  page.evaluate(
    (timeoutMs) =>
      Promise.race([
        window.__e2eFirstFrame!,
        new Promise<number>((_, reject) =>
          setTimeout(() => reject(new Error("no frame decoded")), timeoutMs),
        ),
      ]),
    FRAME_TIMEOUT_MS,
  );

/** The wall time of the last click on Accept that watchAccept saw. */
export const acceptedAt = (page: Page): Promise<number> => page.evaluate(() => window.__e2eAcceptAt!);

/**
 * The caller presses "Video call", the callee "Accept"; resolves with the milliseconds from that click
 * to each side's first decoded remote video frame.
 */
export async function acceptToFirstFrames(
  caller: Page,
  callee: Page,
  callerName: string,
): Promise<{ caller: number; callee: number }> {
  await callee.evaluate(watchAccept);
  await Promise.all([caller.evaluate(watchFirstFrame), callee.evaluate(watchFirstFrame)]);
  await callAndAccept(caller, callee, callerName);
  const [callerFrame, calleeFrame] = await Promise.all([firstFrame(caller), firstFrame(callee)]);
  const accepted = await acceptedAt(callee);
  return { caller: callerFrame - accepted, callee: calleeFrame - accepted };
}

/** The line the e2e output carries, e.g. "1:1 call: accept → first frames  caller 312 ms, callee 298 ms". */
export function acceptLine(label: string, ms: { caller: number; callee: number }): string {
  return `${label}: accept → first frames  caller ${Math.round(ms.caller)} ms, callee ${Math.round(ms.callee)} ms`;
}
