// The devices' problems and unnamed devices in the page's language (webrtc/ names them by code only).
import { t } from "../../i18n";
import type { DeviceOption, DeviceProblem, UnlabelledName } from "../../webrtc/devices";
import type { DeviceSource } from "../../webrtc/peer";

const PROBLEM_KEY = { blocked: "blocked", "in-use": "inUse", gone: "gone", failed: "failed" } as const;

/** A failed camera or microphone in plain words: what happened, and what the call does about it. */
export function deviceProblemText(source: DeviceSource, problem: DeviceProblem): string {
  return t(`devices.${PROBLEM_KEY[problem]}`, { device: t(`devices.noun.${source}`) });
}

/** "Camera 1", "Microphone 2": a device the browser lists without a label (before any permission). */
export const unlabelledDevice: UnlabelledName = (kind, n) =>
  t("devices.numbered", { device: t(`devices.${kind}`), n });

/** A device as the lists show it: "Same as system (Built-in Microphone)" for the system's default entry. */
export function deviceLabel(device: DeviceOption): string {
  return device.systemDefault ? t("devices.sameAsSystem", { name: device.label }) : device.label;
}
