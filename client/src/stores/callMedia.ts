// The media of whichever call this tab is in, 1:1 or group (one at a time): camera and microphone,
// the MeshCall, the screen share and the switches. The call stores (call, groupCall) decide when it
// starts and stops; the stage renders what this mirrors. Tracks stay out of reactive state.
import { defineStore } from "pinia";
import { computed, markRaw, ref, shallowRef } from "vue";
import type { MediaState, UserRef } from "../../../server/src/protocol";
import { listen } from "../listen";
import { request } from "../socket";
import { deviceError, openDevice } from "../webrtc/devices";
import {
  describeLocalMedia,
  openLocalMedia,
  openScreenShare,
  screenShareError,
  stopStream,
} from "../webrtc/media";
import { MeshCall, type MeshOptions, type Participant, type SignalTransport } from "../webrtc/mesh";
import type { DeviceSource, LocalTracks, PeerSignal, PeerState, ScreenShare } from "../webrtc/peer";
import { useDeviceStore } from "./devices";
import { createStage } from "./stage";
import { fetchIceServers } from "./transport";

export interface CallMediaStart {
  callId: string;
  kind: "private" | "group";
  self: UserRef;
  transport: SignalTransport;
  roles: MeshOptions["roles"];
  participants: Participant[];
  /** Whether this is still the tab's call after each wait (it may end while the camera prompt is open). */
  current: () => boolean;
  /** How the connection to each remote participant stands. */
  onPeerState?: (participantId: string, state: PeerState) => void;
}

/** Signals kept before the media starts: a few offers and their candidates. */
const EARLY_LIMIT = 500;

export const useCallMediaStore = defineStore("callMedia", () => {
  const devices = useDeviceStore();
  const callId = ref<string | null>(null);
  const kind = ref<"private" | "group" | null>(null);
  /** The self-view: the camera only (our own voice would echo). */
  const localStream = shallowRef<MediaStream | null>(null);
  const hasMic = ref(false);
  const hasCamera = ref(false);
  const micOn = ref(false);
  const cameraOn = ref(false);
  const sharing = ref(false);
  /** What is missing locally (no camera, permission denied), or why a switch failed. */
  const notice = ref<string | null>(null);
  const stage = createStage();
  const active = computed(() => callId.value !== null);
  let mesh: MeshCall | null = null;
  let local: LocalTracks = { microphone: null, camera: null, stream: null };
  let screen: ScreenShare | null = null;
  /** Signals and media states that came before the mesh (the camera prompt was still open). */
  let early: { callId: string; peerId: string; signal: PeerSignal }[] = [];
  let earlyMedia = new Map<string, MediaState>();
  let participants: Participant[] = [];
  let announcing = false;

  /** Camera first, then fresh ICE servers, then the mesh. Does nothing for a call it already started. */
  async function start(options: CallMediaStart): Promise<void> {
    if (callId.value === options.callId) return;
    const waiting = early;
    stop();
    early = waiting;
    callId.value = options.callId;
    kind.value = options.kind;
    participants = options.participants;
    const current = () => options.current() && callId.value === options.callId;
    const media = await openLocalMedia(undefined, devices.choice);
    if (!current()) return stopStream(media.stream);
    local = {
      microphone: media.stream?.getAudioTracks()[0] ?? null,
      camera: media.stream?.getVideoTracks()[0] ?? null,
      stream: media.stream && markRaw(media.stream),
    };
    showSelf();
    hasMic.value = micOn.value = media.audio;
    hasCamera.value = cameraOn.value = media.video;
    notice.value = media.message;
    void devices.refresh(); // labels appear once a device is granted
    // Without an answer, host candidates only: that still works on one network.
    const iceServers = await fetchIceServers().catch(() => []);
    if (!current()) return stopLocal();
    mesh = new MeshCall({
      selfId: options.self.id,
      transport: options.transport,
      roles: options.roles,
      iceServers,
      fetchIceServers,
      local,
    });
    mesh.on("stateChanged", ({ participant, state }) => options.onPeerState?.(participant.id, state));
    // A newcomer has not heard how our microphone and camera are: say it again.
    mesh.on("participantJoined", announce);
    stage.start({ id: options.self.id, name: options.self.name, micOn, cameraOn, stream: localStream }, mesh);
    stage.measureSelf(local.microphone);
    mesh.setParticipants(participants);
    for (const signal of early)
      if (signal.callId === options.callId) mesh.receive(signal.peerId, signal.signal);
    for (const [userId, state] of earlyMedia) mesh.setRemoteMedia(userId, state);
    early = [];
    earlyMedia = new Map();
    announce();
  }

  function showSelf(): void {
    localStream.value = local.camera ? markRaw(new MediaStream([local.camera])) : null;
  }

  /** The call's participants changed (a group:state): connect to newcomers, drop leavers. */
  function setParticipants(list: Participant[]): void {
    participants = list;
    mesh?.setParticipants(list);
  }

  /** A signal of call `id` from `peerId`; kept while the media of that call is still starting. */
  function receive(id: string, peerId: string, signal: PeerSignal): void {
    if (mesh && id === callId.value) mesh.receive(peerId, signal);
    else if (!mesh && early.length < EARLY_LIMIT) early.push({ callId: id, peerId, signal });
  }

  function onCallMedia(payload: MediaState & { callId: string; user: UserRef }): void {
    if (payload.callId !== callId.value) return;
    const state = { audio: payload.audio, video: payload.video, screen: payload.screen };
    if (mesh) mesh.setRemoteMedia(payload.user.id, state);
    else earlyMedia.set(payload.user.id, state);
  }

  /** Tells the others our microphone, camera and screen state (call:media), once per turn of events. */
  function announce(): void {
    if (announcing || !mesh) return;
    announcing = true;
    queueMicrotask(() => {
      announcing = false;
      if (!mesh) return;
      void request("call:media", { audio: micOn.value, video: cameraOn.value, screen: sharing.value });
    });
  }

  function stopLocal(): void {
    stopStream(local.stream);
    for (const track of [local.microphone, local.camera, screen?.track]) track?.stop();
    local = { microphone: null, camera: null, stream: null };
    screen = null;
  }

  /** Ends the media: every local track stops (the camera light goes off), every connection closes. */
  function stop(): void {
    mesh?.stop();
    mesh = null;
    stage.stop();
    stopLocal();
    localStream.value = null;
    callId.value = kind.value = null;
    hasMic.value = hasCamera.value = micOn.value = cameraOn.value = sharing.value = false;
    early = [];
    earlyMedia = new Map();
    notice.value = null;
  }

  function toggleMic(): void {
    micOn.value = hasMic.value && !micOn.value;
    if (local.microphone) local.microphone.enabled = micOn.value;
    announce();
  }

  function toggleCamera(): void {
    cameraOn.value = hasCamera.value && !cameraOn.value;
    if (local.camera) local.camera.enabled = cameraOn.value;
    announce();
  }

  /** "Share screen" / "Stop sharing". Stopping from the browser's own bar ends the track: same path. */
  async function toggleScreen(): Promise<void> {
    if (screen) return stopScreen();
    const id = callId.value;
    try {
      const share = await openScreenShare();
      if (!mesh || callId.value !== id || screen) return share.track.stop();
      screen = { track: share.track, stream: markRaw(share.stream) };
      share.track.addEventListener("ended", stopScreen);
      mesh.setScreen(screen);
      sharing.value = true;
      announce();
    } catch (error) {
      notice.value = screenShareError(error) ?? notice.value;
    }
  }

  function stopScreen(): void {
    if (!screen) return;
    screen.track.removeEventListener("ended", stopScreen);
    screen.track.stop();
    screen = null;
    mesh?.setScreen(null);
    sharing.value = false;
    announce();
  }

  /**
   * Another camera or microphone during the call: opened, then put in place of the old one on every
   * connection (replaceTrack, no renegotiation), then the old one stops. A failure keeps the old one.
   */
  async function switchDevice(source: DeviceSource, deviceId: string | null): Promise<void> {
    const id = callId.value;
    if (!mesh || !id) return;
    let track: MediaStreamTrack;
    try {
      track = await openDevice(source, deviceId);
    } catch (error) {
      notice.value = deviceError(source, error);
      return;
    }
    if (!mesh || callId.value !== id) return track.stop();
    const [has, on] = source === "camera" ? [hasCamera, cameraOn] : [hasMic, micOn];
    if (!has.value) has.value = on.value = true;
    track.enabled = on.value;
    const old = local[source];
    local = { ...local, [source]: track };
    await mesh.replaceTrack(source, track);
    old?.stop();
    if (source === "camera") showSelf();
    else stage.measureSelf(track);
    notice.value = describeLocalMedia(hasMic.value, hasCamera.value, false);
    announce();
  }

  /** The track the settings panel previews during a call (its level meter, its picture). */
  const currentTrack = (source: DeviceSource): MediaStreamTrack | null => local[source];

  // Back after a socket outage: signals sent meanwhile were lost; each peer re-sends and repairs.
  listen({ "call:media": onCallMedia, "session:ready": () => mesh?.resync() }, stop);

  return {
    callId,
    kind,
    active,
    localStream,
    hasMic,
    hasCamera,
    micOn,
    cameraOn,
    sharing,
    notice,
    tiles: stage.tiles,
    speakerId: stage.speakerId,
    streamFor: stage.streamFor,
    start,
    setParticipants,
    receive,
    stop,
    toggleMic,
    toggleCamera,
    toggleScreen,
    switchDevice,
    currentTrack,
    resync: () => mesh?.resync(),
    framesDecoded: (): Promise<number> => mesh?.framesDecoded() ?? Promise.resolve(0),
  };
});
