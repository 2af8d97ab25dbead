// The local camera and microphone for a call. A call still works with only a microphone, only a
// camera, or nothing at all (receive-only), so each failure falls back instead of ending the call.
import type { VoiceProcessing } from "./devices";

export interface LocalMedia {
  stream: MediaStream | null;
  audio: boolean;
  video: boolean;
  /** What the user should know is missing (features/call/mediaText words it); null when both work. */
  problem: MediaProblem | null;
}

export type GetUserMedia = (constraints: MediaStreamConstraints) => Promise<MediaStream>;

/** The devices the user picked (Call settings), by deviceId; missing means the browser's default. */
export interface DeviceChoice {
  microphone?: string | null;
  camera?: string | null;
  /** The microphone's noise suppression and echo cancellation; missing means the browser's (on). */
  voice?: VoiceProcessing;
}

/**
 * Most wanted first; each is tried only if the one before it failed. A chosen device is `ideal`, not
 * `exact`: unplugged since, it must not cost the call its camera (the browser picks another).
 */
function attempts(choice: DeviceChoice): MediaStreamConstraints[] {
  const asked = { ...(choice.microphone ? { deviceId: { ideal: choice.microphone } } : {}), ...choice.voice };
  const audio = Object.keys(asked).length > 0 ? asked : true;
  const video = choice.camera ? { deviceId: { ideal: choice.camera } } : true;
  return [{ audio, video }, { audio }, { video }];
}

/**
 * What is missing of this tab's media, for the UI to word: "insecure" (browsers give camera and
 * microphone only to secure contexts, getUserMedia being [SecureContext] in W3C Media Capture and
 * Streams: a page opened by LAN address over plain HTTP has no navigator.mediaDevices at all),
 * "camera-missing" (audio only), "mic-missing" (video only), "blocked" (the user denied both), "none".
 */
export type MediaProblem = "insecure" | "camera-missing" | "mic-missing" | "blocked" | "none";

/** True when the browser says this page is not a secure context (unknown counts as secure). */
export function insecurePage(): boolean {
  return globalThis.isSecureContext === false;
}

export function browserGetUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
  // mediaDevices is missing on insecure origins (plain http other than localhost).
  const devices = globalThis.navigator?.mediaDevices;
  if (!devices?.getUserMedia) return Promise.reject(new TypeError("getUserMedia is not available"));
  return devices.getUserMedia(constraints);
}

/** What the others will miss of this tab; null when camera and microphone both work. */
export function describeLocalMedia(audio: boolean, video: boolean, denied: boolean): MediaProblem | null {
  if (audio && video) return null;
  if (audio) return "camera-missing";
  if (video) return "mic-missing";
  return denied ? "blocked" : "none";
}

/**
 * Opens what it can. NotAllowedError, NotFoundError and OverconstrainedError are the usual reasons,
 * but a camera held by another app (NotReadableError) must not cost the microphone either, so any
 * failure moves on to the next, smaller request.
 */
export async function openLocalMedia(
  getUserMedia: GetUserMedia = browserGetUserMedia,
  choice: DeviceChoice = {},
): Promise<LocalMedia> {
  if (insecurePage()) return { stream: null, audio: false, video: false, problem: "insecure" };
  let denied = false;
  for (const constraints of attempts(choice)) {
    try {
      const stream = await getUserMedia(constraints);
      const audio = stream.getAudioTracks().length > 0;
      const video = stream.getVideoTracks().length > 0;
      return { stream, audio, video, problem: describeLocalMedia(audio, video, denied) };
    } catch (error) {
      if ((error as { name?: string } | null)?.name === "NotAllowedError") denied = true;
    }
  }
  return {
    stream: null,
    audio: false,
    video: false,
    problem: describeLocalMedia(false, false, denied),
  };
}

/** Stops every track, which is what turns the camera light off. */
export function stopStream(stream: MediaStream | null | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/**
 * Asks the browser for a screen, window or tab to share (getDisplayMedia, W3C Screen Capture). Text on
 * a screen needs sharpness more than motion: the "detail" hint and at most 15 frames a second.
 */
export async function openScreenShare(): Promise<{ track: MediaStreamTrack; stream: MediaStream }> {
  const devices = globalThis.navigator?.mediaDevices;
  if (!devices?.getDisplayMedia)
    throw new DOMException("getDisplayMedia is not available", "NotSupportedError");
  const stream = await devices.getDisplayMedia({ video: { frameRate: { max: 15 } }, audio: false });
  const [track] = stream.getVideoTracks();
  if (!track) throw new DOMException("no screen track", "NotFoundError");
  track.contentHint = "detail";
  return { track, stream };
}

/** Why a screen share did not start ("unsupported" or "failed"), or null when the picker was closed. */
export function screenShareError(error: unknown): "unsupported" | "failed" | null {
  const name = (error as { name?: string } | null)?.name;
  if (name === "NotAllowedError" || name === "AbortError") return null;
  return name === "NotSupportedError" ? "unsupported" : "failed";
}
