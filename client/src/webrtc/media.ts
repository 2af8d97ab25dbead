// The local camera and microphone for a call. A call still works with only a microphone, only a
// camera, or nothing at all (receive-only), so each failure falls back instead of ending the call.

export interface LocalMedia {
  stream: MediaStream | null;
  audio: boolean;
  video: boolean;
  /** What the user should know about what is missing; null when camera and microphone both work. */
  message: string | null;
}

export type GetUserMedia = (constraints: MediaStreamConstraints) => Promise<MediaStream>;

/** The devices the user picked (Call settings), by deviceId; missing means the browser's default. */
export interface DeviceChoice {
  microphone?: string | null;
  camera?: string | null;
}

/**
 * Most wanted first; each is tried only if the one before it failed. A chosen device is `ideal`, not
 * `exact`: unplugged since, it must not cost the call its camera (the browser picks another).
 */
function attempts(choice: DeviceChoice): MediaStreamConstraints[] {
  const audio = choice.microphone ? { deviceId: { ideal: choice.microphone } } : true;
  const video = choice.camera ? { deviceId: { ideal: choice.camera } } : true;
  return [{ audio, video }, { audio }, { video }];
}

/**
 * Browsers give camera and microphone only to secure contexts (getUserMedia is [SecureContext] in W3C
 * Media Capture and Streams): pages on https:// or on localhost. Opened by LAN address over plain
 * HTTP, the page has no navigator.mediaDevices at all.
 */
export const INSECURE_PAGE_MESSAGE =
  "Camera and microphone need HTTPS or localhost. This page was opened over plain HTTP, so your " +
  "browser will not share them: in a call you can see and hear the people in it, but they cannot " +
  "see or hear you.";

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

/**
 * Tells the user what the others will miss of them; null when camera and microphone both work.
 * `others` is whom the call is with: the partner's name in a 1:1 call, "the others" in a group call.
 */
export function describeLocalMedia(
  audio: boolean,
  video: boolean,
  denied: boolean,
  others = "the others",
): string | null {
  if (audio && video) return null;
  if (audio) return "Camera unavailable: you are on audio only.";
  if (video) return `Microphone unavailable: ${others} can see you but cannot hear you.`;
  const missing = `you can see and hear ${others}, but they cannot see or hear you.`;
  if (denied) return `Camera and microphone blocked: ${missing} Allow them in your browser's site settings.`;
  return `No camera or microphone: ${missing}`;
}

/**
 * Opens what it can. NotAllowedError, NotFoundError and OverconstrainedError are the usual reasons,
 * but a camera held by another app (NotReadableError) must not cost the microphone either, so any
 * failure moves on to the next, smaller request.
 */
export async function openLocalMedia(
  getUserMedia: GetUserMedia = browserGetUserMedia,
  choice: DeviceChoice = {},
  others?: string,
): Promise<LocalMedia> {
  if (insecurePage()) return { stream: null, audio: false, video: false, message: INSECURE_PAGE_MESSAGE };
  let denied = false;
  for (const constraints of attempts(choice)) {
    try {
      const stream = await getUserMedia(constraints);
      const audio = stream.getAudioTracks().length > 0;
      const video = stream.getVideoTracks().length > 0;
      return { stream, audio, video, message: describeLocalMedia(audio, video, denied, others) };
    } catch (error) {
      if ((error as { name?: string } | null)?.name === "NotAllowedError") denied = true;
    }
  }
  return {
    stream: null,
    audio: false,
    video: false,
    message: describeLocalMedia(false, false, denied, others),
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

/** Why a screen share did not start, or null when the person just closed the browser's picker. */
export function screenShareError(error: unknown): string | null {
  const name = (error as { name?: string } | null)?.name;
  if (name === "NotAllowedError" || name === "AbortError") return null;
  if (name === "NotSupportedError") return "This browser cannot share a screen.";
  return "The screen could not be shared. Try again.";
}
