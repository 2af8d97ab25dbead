// What is missing of this tab's media, and why a screen share failed, in the page's language.
import { t } from "../../i18n";
import type { MediaProblem } from "../../webrtc/media";

const PROBLEM_KEY = {
  insecure: "insecurePage",
  "camera-missing": "cameraMissing",
  "mic-missing": "micMissing",
  blocked: "mediaBlocked",
  none: "noMedia",
} as const;

/**
 * Tells the user what the others will miss of them; null when nothing is missing. `others` is whom the
 * call is with: the partner's name in a 1:1 call, "the others" (worded) in a group call.
 */
export function mediaProblemText(problem: MediaProblem | null, others?: string): string | null {
  if (!problem) return null;
  return t(`call.${PROBLEM_KEY[problem]}`, { others: others ?? t("call.theOthers") });
}

/** Why a screen share did not start, or null when there is nothing to say. */
export function screenProblemText(problem: "unsupported" | "failed" | null): string | null {
  if (!problem) return null;
  return t(problem === "unsupported" ? "call.screenUnsupported" : "call.screenFailed");
}
