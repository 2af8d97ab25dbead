// Cameras, microphones and speakers: listing them, noticing when one is plugged in or out, opening
// one by its id, and playing sound on a chosen output (W3C Media Capture and Streams; Audio Output
// Devices API for setSinkId).
import type { DeviceSource } from "./tracks";

export interface DeviceOption {
  id: string;
  label: string;
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
      .map((device, index) => ({ id: device.deviceId, label: device.label || unlabelled(noun, index + 1) }));
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

/** Opens exactly this device (the user picked it), or the default one when `deviceId` is null. */
export async function openDevice(source: DeviceSource, deviceId: string | null): Promise<MediaStreamTrack> {
  const getUserMedia = mediaDevices()?.getUserMedia?.bind(mediaDevices());
  if (!getUserMedia) throw new DOMException("getUserMedia is not available", "NotSupportedError");
  const constraint = deviceId ? { deviceId: { exact: deviceId } } : true;
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
