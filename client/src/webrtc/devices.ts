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

/**
 * What the browser lists. Before the page has been granted a camera or microphone, labels are empty
 * (and ids may be too): such entries get "Camera 1"-style names so the lists still read.
 */
export async function listDevices(): Promise<DeviceLists> {
  const devices =
    (await mediaDevices()
      ?.enumerateDevices?.()
      .catch(() => [])) ?? [];
  const pick = (kind: MediaDeviceKind, noun: string): DeviceOption[] =>
    devices
      .filter((device) => device.kind === kind && device.deviceId)
      .map((device, index) => ({ id: device.deviceId, label: device.label || `${noun} ${index + 1}` }));
  return {
    cameras: pick("videoinput", "Camera"),
    microphones: pick("audioinput", "Microphone"),
    speakers: pick("audiooutput", "Speaker"),
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

/** A failed getUserMedia in plain words: what happened, and what the call does about it. */
export function deviceError(source: DeviceSource, error: unknown): string {
  const noun = source === "camera" ? "camera" : "microphone";
  const name = (error as { name?: string } | null)?.name;
  if (name === "NotAllowedError") {
    return `Your browser blocked the ${noun}. Allow it in the site settings; the call goes on without it.`;
  }
  if (name === "NotReadableError") {
    return `The ${noun} is in use by another program. Close it and try again; the call goes on.`;
  }
  if (name === "NotFoundError" || name === "OverconstrainedError") {
    return `That ${noun} is not connected any more. Pick another one.`;
  }
  return `The ${noun} could not be opened. The call goes on with what there is.`;
}
