// This tab's side of a call: its camera and microphone (their switches, a switch of device during
// the call, a device lost mid-call) and its screen share. callMedia owns it and hands it the call's
// MeshCall; the tracks stay here, out of reactive state, and are stopped here.
import { markRaw, type Ref, ref, shallowRef } from "vue";
import { deviceError, openDevice, type VoiceProcessing } from "../../webrtc/devices";
import {
  type DeviceChoice,
  describeLocalMedia,
  openLocalMedia,
  openScreenShare,
  screenShareError,
  stopStream,
} from "../../webrtc/media";
import type { CallPeers } from "../../webrtc/callPeers";
import type { DeviceSource, LocalTracks, ScreenShare } from "../../webrtc/peer";
import { t } from "../../i18n";
import { deviceProblemText } from "../devices/deviceText";
import { mediaProblemText, screenProblemText } from "./mediaText";

export interface LocalMediaHooks {
  /** The call's mesh, once it exists; switches and shares reach every peer through it. */
  mesh: () => CallPeers | null;
  /** Our microphone, camera or screen state changed: tell the others (call:media). */
  changed: () => void;
  /** The microphone in use changed: the speaker highlight measures the new one. */
  microphone: (track: MediaStreamTrack | null) => void;
}

export function createLocalMedia(hooks: LocalMediaHooks) {
  /** The self-view: the camera only (our own voice would echo). */
  const stream = shallowRef<MediaStream | null>(null);
  const hasMic = ref(false);
  const hasCamera = ref(false);
  const micOn = ref(false);
  const cameraOn = ref(false);
  const sharing = ref(false);
  /** The screen this tab shares, for its own preview tile; null while not sharing. */
  const screenStream = shallowRef<MediaStream | null>(null);
  /** What is missing locally (no camera, permission denied), or why a switch or a share failed. */
  const notice = ref<string | null>(null);
  let local: LocalTracks = { microphone: null, camera: null, stream: null };
  let screen: ScreenShare | null = null;

  /** Whether there is such a device, and whether it is on. */
  const flags = (source: DeviceSource): [Ref<boolean>, Ref<boolean>] =>
    source === "camera" ? [hasCamera, cameraOn] : [hasMic, micOn];

  /** Whom the call is with, in the notices (see describeLocalMedia). */
  let others: string | undefined;

  /**
   * Opens what it can of the chosen devices (see openLocalMedia) for a call with `callee` (a name, or
   * "the others"); resolves with the tracks to send. A device `wanted` off (the caller's toggles while
   * ringing) is opened but starts switched off, as its toggle would leave it.
   */
  async function open(
    choice: DeviceChoice,
    callee?: string,
    wanted: Record<DeviceSource, boolean> = { microphone: true, camera: true },
  ): Promise<LocalTracks> {
    others = callee;
    const media = await openLocalMedia(undefined, choice);
    local = {
      microphone: media.stream?.getAudioTracks()[0] ?? null,
      camera: media.stream?.getVideoTracks()[0] ?? null,
      stream: media.stream && markRaw(media.stream),
    };
    showSelf();
    watchEnded("microphone", local.microphone);
    watchEnded("camera", local.camera);
    hasMic.value = media.audio;
    hasCamera.value = media.video;
    micOn.value = media.audio && wanted.microphone;
    cameraOn.value = media.video && wanted.camera;
    if (local.microphone) local.microphone.enabled = micOn.value;
    if (local.camera) local.camera.enabled = cameraOn.value;
    notice.value = mediaProblemText(media.problem, others);
    return local;
  }

  function showSelf(): void {
    stream.value = local.camera ? markRaw(new MediaStream([local.camera])) : null;
  }

  /** A device unplugged (or taken by the system) mid-call ends its track: say so, and go on without it. */
  function watchEnded(source: DeviceSource, track: MediaStreamTrack | null): void {
    track?.addEventListener("ended", () => {
      if (local[source] !== track) return;
      for (const flag of flags(source)) flag.value = false;
      notice.value = t("call.deviceStopped", { device: t(`devices.noun.${source}`) });
      if (source === "camera") stream.value = null;
      hooks.changed();
    });
  }

  function toggle(source: DeviceSource): void {
    const [has, on] = flags(source);
    on.value = has.value && !on.value;
    const track = local[source];
    if (track) track.enabled = on.value;
    hooks.changed();
  }

  /** "Share screen" / "Stop sharing". Stopping from the browser's own bar ends the track: same path. */
  async function toggleScreen(): Promise<void> {
    if (screen) return stopScreen();
    const mesh = hooks.mesh();
    try {
      const share = await openScreenShare();
      if (!mesh || hooks.mesh() !== mesh || screen) return share.track.stop();
      screen = { track: share.track, stream: markRaw(share.stream) };
      share.track.addEventListener("ended", stopScreen);
      mesh.setScreen(screen);
      sharing.value = true;
      screenStream.value = screen.stream;
      hooks.changed();
    } catch (error) {
      notice.value = screenProblemText(screenShareError(error)) ?? notice.value;
    }
  }

  function stopScreen(): void {
    if (!screen) return;
    screen.track.removeEventListener("ended", stopScreen);
    screen.track.stop();
    screen = null;
    hooks.mesh()?.setScreen(null);
    sharing.value = false;
    screenStream.value = null;
    hooks.changed();
  }

  /**
   * Another camera or microphone during the call: opened, then put in place of the old one on every
   * connection (replaceTrack, no renegotiation), then the old one stops. A failure keeps the old one.
   * A microphone opens with `voice` (noise suppression, echo cancellation) when given.
   */
  async function switchDevice(
    source: DeviceSource,
    deviceId: string | null,
    voice?: VoiceProcessing,
  ): Promise<void> {
    const mesh = hooks.mesh();
    if (!mesh) return;
    let track: MediaStreamTrack;
    try {
      track = await openDevice(source, deviceId, voice);
    } catch (error) {
      notice.value = deviceProblemText(source, deviceError(error));
      return;
    }
    if (hooks.mesh() !== mesh) return track.stop();
    const [has, on] = flags(source);
    if (!has.value) has.value = on.value = true;
    track.enabled = on.value;
    watchEnded(source, track);
    const old = local[source];
    local = { ...local, [source]: track };
    await mesh.replaceTrack(source, track);
    old?.stop();
    if (source === "camera") showSelf();
    else hooks.microphone(track);
    notice.value = mediaProblemText(describeLocalMedia(hasMic.value, hasCamera.value, false), others);
    hooks.changed();
  }

  /** Stops every local track (the camera light goes off) and forgets them. */
  function stop(): void {
    stopStream(local.stream);
    for (const track of [local.microphone, local.camera, screen?.track]) track?.stop();
    local = { microphone: null, camera: null, stream: null };
    screen = null;
    stream.value = screenStream.value = null;
    hasMic.value = hasCamera.value = micOn.value = cameraOn.value = sharing.value = false;
    notice.value = null;
  }

  return {
    stream,
    screenStream,
    hasMic,
    hasCamera,
    micOn,
    cameraOn,
    sharing,
    notice,
    open,
    stop,
    toggleMic: () => toggle("microphone"),
    toggleCamera: () => toggle("camera"),
    toggleScreen,
    switchDevice,
    /** The track in use now (the settings panel previews it during a call). */
    track: (source: DeviceSource): MediaStreamTrack | null => local[source],
    /** What the others hear of us (call:media). */
    state: () => ({ audio: micOn.value, video: cameraOn.value, screen: sharing.value }),
  };
}
