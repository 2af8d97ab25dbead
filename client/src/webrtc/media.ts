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

/** Most wanted first. Each is tried only if the one before it failed. */
const ATTEMPTS: MediaStreamConstraints[] = [{ audio: true, video: true }, { audio: true }, { video: true }];

/**
 * Browsers give camera and microphone only to secure contexts (getUserMedia is [SecureContext] in W3C
 * Media Capture and Streams): pages on https:// or on localhost. Opened by LAN address over plain
 * HTTP, the page has no navigator.mediaDevices at all.
 */
export const INSECURE_PAGE_MESSAGE =
  "Camera and microphone need HTTPS or localhost. This page was opened over plain HTTP, so your " +
  "browser will not share them: in a video call you can see and hear your partner, but they cannot " +
  "see or hear you.";

/** True when the browser says this page is not a secure context (unknown counts as secure). */
export function insecurePage(): boolean {
  return globalThis.isSecureContext === false;
}

function browserGetUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
  // mediaDevices is missing on insecure origins (plain http other than localhost).
  const devices = globalThis.navigator?.mediaDevices;
  if (!devices?.getUserMedia) return Promise.reject(new TypeError("getUserMedia is not available"));
  return devices.getUserMedia(constraints);
}

export function describeLocalMedia(audio: boolean, video: boolean, denied: boolean): string | null {
  if (audio && video) return null;
  if (audio) return "Camera unavailable: you are on audio only.";
  if (video) return "Microphone unavailable: your partner can see you but cannot hear you.";
  if (denied) {
    return (
      "Camera and microphone blocked: you can see and hear your partner, they cannot see or hear you. " +
      "Allow them in your browser's site settings."
    );
  }
  return "No camera or microphone: you can see and hear your partner, they cannot see or hear you.";
}

/**
 * Opens what it can. NotAllowedError, NotFoundError and OverconstrainedError are the usual reasons,
 * but a camera held by another app (NotReadableError) must not cost the microphone either, so any
 * failure moves on to the next, smaller request.
 */
export async function openLocalMedia(getUserMedia: GetUserMedia = browserGetUserMedia): Promise<LocalMedia> {
  if (insecurePage()) return { stream: null, audio: false, video: false, message: INSECURE_PAGE_MESSAGE };
  let denied = false;
  for (const constraints of ATTEMPTS) {
    try {
      const stream = await getUserMedia(constraints);
      const audio = stream.getAudioTracks().length > 0;
      const video = stream.getVideoTracks().length > 0;
      return { stream, audio, video, message: describeLocalMedia(audio, video, denied) };
    } catch (error) {
      if ((error as { name?: string } | null)?.name === "NotAllowedError") denied = true;
    }
  }
  return { stream: null, audio: false, video: false, message: describeLocalMedia(false, false, denied) };
}

/** Stops every track, which is what turns the camera light off. */
export function stopStream(stream: MediaStream | null | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
