// The media of whichever call this tab is in, 1:1 or group (one at a time): this tab's devices and
// screen (localMedia), the MeshCall to everyone else, and the stage that mirrors them. The call
// stores (call, groupCall) decide when it starts and stops. Tracks stay out of reactive state.
import { defineStore } from "pinia";
import { computed, ref } from "vue";
import type { MediaState, UserRef } from "@videochat/protocol";
import { listen } from "../session/listen";
import { request } from "../session/socket";
import { MeshCall, type MeshOptions, type Participant, type SignalTransport } from "../../webrtc/mesh";
import type { DeviceSource, PeerSignal, PeerState } from "../../webrtc/peer";
import type { CallPeers } from "../../webrtc/callPeers";
import type { LinkStats } from "../../webrtc/networkQuality";
import { SfuCall } from "../../webrtc/sfu";
import { sfuTransport } from "../../webrtc/sfuSignals";
import { useDeviceStore } from "../devices/deviceStore";
import { createLocalMedia } from "./localMedia";
import { createStage } from "./stage";
import { createRejoin, lacksGesture } from "./rejoin";
import { fallbackIceConfig, fetchIceConfig, fetchIceServers } from "./transport";

export interface CallMediaStart {
  callId: string;
  kind: "private" | "group";
  self: UserRef;
  transport: SignalTransport;
  roles: MeshOptions["roles"];
  participants: Participant[];
  /** The others' media states as the server keeps them (a group call's), by user id. */
  media?: Record<string, MediaState>;
  /** Whether this is still the tab's call after each wait (it may end while the camera prompt is open). */
  current: () => boolean;
  /** The page resumed this call by itself (a reload): the browser may want a gesture first (rejoin.ts). */
  resumed?: boolean;
  /** How the connection to each remote participant stands. */
  onPeerState?: (participantId: string, state: PeerState) => void;
}

/** Signals kept before the media starts: a few offers and their candidates. */
const EARLY_LIMIT = 500;

export const useCallMediaStore = defineStore("callMedia", () => {
  const devices = useDeviceStore();
  const callId = ref<string | null>(null);
  const kind = ref<"private" | "group" | null>(null);
  const stage = createStage();
  const active = computed(() => callId.value !== null);
  let mesh: CallPeers | null = null;
  /** The same call as `mesh` when it runs through the SFU. */
  let sfu: SfuCall | null = null;
  const local = createLocalMedia({ mesh: () => mesh, changed: announce, microphone: stage.measureSelf });
  /** Signals and media states that came before the mesh (the camera prompt was still open). */
  let early: { callId: string; peerId: string; signal: PeerSignal }[] = [];
  let earlyMedia = new Map<string, MediaState>();
  let participants: Participant[] = [];
  let announcing = false;
  let selfId: string | null = null;
  /**
   * Whether the call's microphone and camera start on: the caller switches them while it rings (the
   * ringing preview's toggles); every ringing starts with both on (resetStart).
   */
  const startOn = ref<Record<DeviceSource, boolean>>({ microphone: true, camera: true });
  const rejoin = createRejoin({
    reopenDevices: async () => {
      for (const source of ["microphone", "camera"] as const)
        await local.switchDevice(source, devices.choice[source]);
    },
  });

  /** Camera first, then fresh ICE servers, then the mesh. Does nothing for a call it already started. */
  async function start(options: CallMediaStart): Promise<void> {
    if (callId.value === options.callId) return;
    const wanted = { ...startOn.value };
    const waiting = early;
    stop();
    early = waiting;
    callId.value = options.callId;
    kind.value = options.kind;
    selfId = options.self.id;
    participants = options.participants;
    if (options.media) tellMedia(options.media);
    const current = () => options.current() && callId.value === options.callId;
    const partner = options.kind === "private" ? options.participants[0]?.name : undefined;
    const tracks = await local.open(devices.choice, partner, wanted);
    if (!current()) return local.stop();
    if (options.resumed && !tracks.microphone && !tracks.camera && lacksGesture())
      rejoin.devicesNeedGesture();
    void devices.refresh(); // labels appear once a device is granted
    // Without an answer, host candidates only (that still works on one network), unless the server
    // said relay-only before: then no candidate at all until an ICE restart fetches servers again.
    const ice = await fetchIceConfig().catch(fallbackIceConfig);
    const { iceServers, iceTransportPolicy } = ice;
    if (!current()) return local.stop();
    if (options.kind === "group" && ice.sfu) {
      const transport = sfuTransport(options.callId);
      sfu = new SfuCall({
        selfId: options.self.id,
        transport,
        iceServers,
        iceTransportPolicy,
        fetchIceServers,
        local: tracks,
      });
    }
    mesh =
      sfu ??
      new MeshCall({
        selfId: options.self.id,
        transport: options.transport,
        roles: options.roles,
        iceServers,
        iceTransportPolicy,
        fetchIceServers,
        local: tracks,
      });
    mesh.on("stateChanged", ({ participant, state }) => options.onPeerState?.(participant.id, state));
    const { micOn, cameraOn, stream, screenStream: screen } = local;
    const selfView = { id: options.self.id, name: options.self.name, micOn, cameraOn, stream, screen };
    // Through the SFU, Janus says who talks (sfu:talking): no meter per received voice.
    stage.start(selfView, mesh, { talkingEvents: sfu !== null });
    stage.measureSelf(tracks.microphone);
    mesh.setParticipants(participants);
    for (const signal of early) {
      if (signal.callId === options.callId) mesh.receive(signal.peerId, signal.signal);
    }
    for (const [userId, state] of earlyMedia) mesh.setRemoteMedia(userId, state);
    early = [];
    earlyMedia = new Map();
    announce();
    void sfu?.start();
  }

  /** The call's participants changed (a group:state): connect to newcomers, drop leavers. */
  function setParticipants(list: Participant[]): void {
    participants = list;
    mesh?.setParticipants(list);
  }

  /**
   * A participant's page is away (reload, lost connection) or back (call:participant); `rejoined`: it is
   * a new page, whose media starts over, so the connection to it does too.
   */
  function setPresence(id: string, participantId: string, away: boolean, rejoined = false): void {
    if (id !== callId.value) return;
    stage.setAway(participantId, away);
    if (!rejoined) return;
    early = early.filter((signal) => signal.peerId !== participantId);
    mesh?.restartPeer(participantId);
  }

  /** A signal of call `id` from `peerId`; kept while the media of that call is still starting. */
  function receive(id: string, peerId: string, signal: PeerSignal): void {
    if (mesh && id === callId.value) mesh.receive(peerId, signal);
    else if (!mesh && early.length < EARLY_LIMIT) early.push({ callId: id, peerId, signal });
  }

  function onCallMedia(payload: MediaState & { callId: string; user: UserRef }): void {
    if (payload.callId !== callId.value) return;
    const state = { audio: payload.audio, video: payload.video, screen: payload.screen };
    tellMedia({ [payload.user.id]: state });
  }

  /**
   * The others' media states (call:media, or what the server keeps with a group call, which a joiner
   * gets instead of everyone saying it again); ours is ours to know.
   */
  function tellMedia(states: Record<string, MediaState>): void {
    for (const [userId, state] of Object.entries(states)) {
      if (userId === selfId) continue;
      if (mesh) mesh.setRemoteMedia(userId, state);
      else earlyMedia.set(userId, state);
    }
  }

  /** Tells the others our microphone, camera and screen state (call:media), once per turn of events. */
  function announce(): void {
    if (announcing || !mesh) return;
    announcing = true;
    queueMicrotask(() => {
      announcing = false;
      if (mesh) void request("call:media", local.state());
    });
  }

  /** Ends the media: every local track stops (the camera light goes off), every connection closes. */
  function stop(): void {
    mesh?.stop();
    mesh = sfu = null;
    stage.stop();
    local.stop();
    callId.value = kind.value = null;
    rejoin.reset();
    early = [];
    earlyMedia = new Map();
  }

  // Back after a socket outage: signals sent meanwhile were lost; each peer re-sends and repairs.
  listen(
    {
      "call:media": onCallMedia,
      "call:participant": ({ callId: id, user, state, rejoined }) =>
        setPresence(id, user.id, state === "away", rejoined),
      "session:ready": () => mesh?.resync(),
      "sfu:offer": ({ callId: id, description, streams }) => {
        if (id === callId.value)
          sfu
            ?.receiveOffer(description as RTCSessionDescriptionInit, streams)
            .catch((error: unknown) => console.warn("[sfu] answering the subscription failed", error));
      },
      "sfu:talking": ({ callId: id, userId, talking }) => {
        if (id === callId.value) stage.setTalking(userId, talking);
      },
      // The call's SFU node died and the call moved: publish and subscribe again on the new one.
      "sfu:moved": ({ callId: id }) => id === callId.value && sfu?.resync(),
    },
    stop,
  );

  return {
    callId,
    kind,
    active,
    localStream: local.stream,
    hasMic: local.hasMic,
    hasCamera: local.hasCamera,
    micOn: local.micOn,
    cameraOn: local.cameraOn,
    sharing: local.sharing,
    notice: local.notice,
    tiles: stage.tiles,
    speakerId: stage.speakerId,
    streamFor: stage.streamFor,
    start,
    setParticipants,
    tellMedia,
    receive,
    stop,
    setPresence,
    /** True while the browser waits for a gesture ("Rejoin call"); `rejoin` is that button's action. */
    needsGesture: rejoin.needed,
    rejoin: rejoin.rejoin,
    /** For a tile whose <video>.play() was refused: `element.play().catch(media.playRefused(element))`. */
    playRefused: (element: HTMLMediaElement) => (error: unknown) => rejoin.playRefused(element, error),
    startMicOn: computed(() => startOn.value.microphone),
    startCameraOn: computed(() => startOn.value.camera),
    /** While it rings: the call will start with `source` switched the other way. */
    toggleStart: (source: DeviceSource) => (startOn.value[source] = !startOn.value[source]),
    resetStart: () => (startOn.value = { microphone: true, camera: true }),
    toggleMic: local.toggleMic,
    toggleCamera: local.toggleCamera,
    toggleScreen: local.toggleScreen,
    switchDevice: local.switchDevice,
    currentTrack: local.track,
    resync: () => mesh?.resync(),
    framesDecoded: (): Promise<number> => mesh?.framesDecoded() ?? Promise.resolve(0),
    /** The statistics of the call's links (networkQualityStore reads them), or null outside a call. */
    linkStats: (): Promise<LinkStats | null> => mesh?.linkStats() ?? Promise.resolve(null),
  };
});
