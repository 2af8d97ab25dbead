// Cameras, microphones and speakers: listing them, noticing when one is plugged in or out, opening
// one by its id, and playing sound on a chosen output (W3C Media Capture and Streams; Audio Output
// Devices API for setSinkId).
import type { DeviceSource } from "./tracks";

export interface DeviceOption {
  id: string;
  /** As people know it: "Logitech Webcam C270", not "Default - Logitech Webcam C270 (046d:0825)". */
  label: string;
  /** The entry that follows the system's choice (Chrome's "default" and "communications" ids). */
  systemDefault?: boolean;
}

/** The browser's voice processing a person may turn off (W3C Media Capture, MediaTrackConstraintSet). */
export interface VoiceProcessing {
  noiseSuppression: boolean;
  echoCancellation: boolean;
}

/** Ids Chrome gives the entries that stand for the system's default device rather than a device. */
const SYSTEM_IDS = new Set(["default", "communications"]);

/**
 * A device label as people know it: without Chrome's "Default - " / "Communications - " prefix and
 * without the USB vendor:product id it appends ("HD Webcam (046d:0825)" -> "HD Webcam").
 */
export function plainDeviceLabel(label: string): string {
  return label
    .replace(/^(Default|Communications)\s+-\s+/i, "")
    .replace(/\s*\([0-9a-f]{4}:[0-9a-f]{4}\)\s*$/i, "")
    .trim();
}

export interface DeviceLists {
  cameras: DeviceOption[];
  microphones: DeviceOption[];
  speakers: DeviceOption[];
}

const mediaDevices = (): MediaDevices | undefined => globalThis.navigator?.mediaDevices;

/** A name for the `n`th (from 1) unlabelled device of a kind, e.g. "Camera 1" (worded by the UI). */
export type UnlabelledName = (kind: "camera" | "microphone" | "speaker", n: number) => string;

/**
 * What the browser lists. Before the page has been granted a camera or microphone, labels are empty
 * (and ids may be too): such entries get `unlabelled` names ("Camera 1") so the lists still read.
 */
export async function listDevices(unlabelled: UnlabelledName): Promise<DeviceLists> {
  const devices =
    (await mediaDevices()
      ?.enumerateDevices?.()
      .catch(() => [])) ?? [];
  const pick = (kind: MediaDeviceKind, noun: Parameters<UnlabelledName>[0]): DeviceOption[] =>
    devices
      .filter((device) => device.kind === kind && device.deviceId)
      .map((device, index) => ({
        id: device.deviceId,
        label: plainDeviceLabel(device.label) || unlabelled(noun, index + 1),
        ...(SYSTEM_IDS.has(device.deviceId) ? { systemDefault: true } : {}),
      }));
  return {
    cameras: pick("videoinput", "camera"),
    microphones: pick("audioinput", "microphone"),
    speakers: pick("audiooutput", "speaker"),
  };
}

/** Calls `changed` when a device is plugged in or out; returns the function that stops listening. */
export function watchDevices(changed: () => void): () => void {
  const devices = mediaDevices();
  devices?.addEventListener?.("devicechange", changed);
  return () => devices?.removeEventListener?.("devicechange", changed);
}

/** Whether this browser lets a page choose where sound plays (HTMLMediaElement.setSinkId). */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== "undefined" && "setSinkId" in HTMLMediaElement.prototype;
}

/** Plays an element's sound on the chosen output; "" is the system default. A refusal keeps the old one. */
export async function playOn(element: HTMLMediaElement, speakerId: string | null): Promise<void> {
  if (!canChooseSpeaker()) return;
  const sink = speakerId ?? "";
  const current = (element as HTMLMediaElement & { sinkId?: string }).sinkId;
  if (current === sink) return;
  await element.setSinkId(sink).catch((error: unknown) => console.warn("[devices] setSinkId", error));
}

/**
 * Opens exactly this device (the user picked it), or the default one when `deviceId` is null; a
 * microphone with the `voice` processing asked for, when given.
 */
export async function openDevice(
  source: DeviceSource,
  deviceId: string | null,
  voice?: VoiceProcessing,
): Promise<MediaStreamTrack> {
  const getUserMedia = mediaDevices()?.getUserMedia?.bind(mediaDevices());
  if (!getUserMedia) throw new DOMException("getUserMedia is not available", "NotSupportedError");
  const processing = source === "microphone" && voice ? voice : {};
  const asked = { ...(deviceId ? { deviceId: { exact: deviceId } } : {}), ...processing };
  const constraint = Object.keys(asked).length > 0 ? asked : true;
  const stream = await getUserMedia(source === "camera" ? { video: constraint } : { audio: constraint });
  const [track] = source === "camera" ? stream.getVideoTracks() : stream.getAudioTracks();
  if (!track) throw new DOMException("no track", "NotFoundError");
  return track;
}

/** Why getUserMedia failed, for the UI to word: blocked by the user, held by another program, unplugged. */
export type DeviceProblem = "blocked" | "in-use" | "gone" | "failed";

/** The problem a failed getUserMedia's error names. */
export function deviceError(error: unknown): DeviceProblem {
  const name = (error as { name?: string } | null)?.name;
  if (name === "NotAllowedError") return "blocked";
  if (name === "NotReadableError") return "in-use";
  if (name === "NotFoundError" || name === "OverconstrainedError") return "gone";
  return "failed";
}

/**
 * Asks a live microphone track for `voice` (applyConstraints). True when its settings now agree; false
 * when the browser refused or ignored it (some change this only on a new track: open one instead).
 */
export async function applyVoice(track: MediaStreamTrack, voice: VoiceProcessing): Promise<boolean> {
  try {
    await track.applyConstraints({ ...track.getConstraints(), ...voice });
  } catch {
    return false;
  }
  const settings = track.getSettings?.() ?? {};
  return (
    settings.noiseSuppression === voice.noiseSuppression &&
    settings.echoCancellation === voice.echoCancellation
  );
}
