// The media half of the call store: camera and microphone, the PeerSession, the streams (markRaw,
// in shallowRefs, never deep-reactive) and the mic/camera switches. The call store decides when.
import { markRaw, ref, shallowRef } from "vue";
import type { CallSignal } from "../../../server/src/protocol";
import { request } from "../socket";
import { openLocalMedia, stopStream } from "../webrtc/media";
import { PeerSession, type PeerSignal, type PeerState } from "../webrtc/peer";
import { framesDecoded } from "../webrtc/stats";

/** The wire shape and the browser's shape of a signal differ only in what may be missing. */
const toWire = ({ description, candidate }: PeerSignal): Omit<CallSignal, "callId"> => ({
  ...(description ? { description } : {}),
  ...(candidate ? { candidate: { ...candidate, candidate: candidate.candidate ?? "" } } : {}),
});
const fromWire = ({ description, candidate }: CallSignal): PeerSignal => ({ description, candidate });

/** Rejects when the server cannot answer, so an ICE restart keeps the servers it has. */
async function fetchIceServers(): Promise<RTCIceServer[]> {
  const ack = await request("call:ice-servers", {});
  if (!ack.ok) throw new Error(ack.error.message);
  return ack.iceServers;
}

export function createCallMedia(onPeerState: (state: PeerState) => void) {
  const localStream = shallowRef<MediaStream | null>(null);
  const remoteStream = shallowRef<MediaStream | null>(null);
  const hasMic = ref(false);
  const hasCamera = ref(false);
  const micOn = ref(false);
  const cameraOn = ref(false);
  /** What is missing locally (no camera, permission denied), for as long as the call lasts. */
  const notice = ref<string | null>(null);
  let peer: PeerSession | null = null;
  /** The call media was started for; the accept ack and call:answered both lead here. */
  let startedFor: string | null = null;
  /** The partner's first offer can arrive while we still wait for the camera. */
  let early: CallSignal[] = [];

  /**
   * Camera first, then fresh ICE servers, then the peer. The call may end during either wait;
   * `current` says whether it is still this call's turn.
   */
  async function start(callId: string, polite: boolean, current: () => boolean): Promise<void> {
    if (startedFor === callId) return;
    startedFor = callId;
    const media = await openLocalMedia();
    if (!current()) return stopStream(media.stream);
    localStream.value = media.stream && markRaw(media.stream);
    hasMic.value = micOn.value = media.audio;
    hasCamera.value = cameraOn.value = media.video;
    notice.value = media.message;
    // Without an answer, host candidates only: that still works on one network.
    const iceServers = await fetchIceServers().catch(() => []);
    if (!current()) return stopStream(media.stream);
    const receiveOnly = (["audio", "video"] as const).filter((kind) => !media[kind]);
    peer = new PeerSession({
      polite,
      awaitOffer: polite,
      iceServers,
      localStream: media.stream,
      receiveOnly,
      sendSignal: async (signal) => (await request("call:signal", { callId, ...toWire(signal) })).ok,
      fetchIceServers,
    });
    peer.on("state", onPeerState);
    peer.on("stream", (stream) => (remoteStream.value = markRaw(stream)));
    const buffered = early.filter((signal) => signal.callId === callId);
    early = [];
    for (const signal of buffered) void peer.receive(fromWire(signal));
  }

  function receive(signal: CallSignal): void {
    if (peer) void peer.receive(fromWire(signal));
    else early.push(signal);
  }

  /** Stops every local track (the camera light goes off) and closes the connection. */
  function stop(): void {
    peer?.stop();
    peer = null;
    stopStream(localStream.value);
    localStream.value = remoteStream.value = null;
    startedFor = null;
    early = [];
    notice.value = null;
  }

  function toggleMic(): void {
    micOn.value = hasMic.value && !micOn.value;
    for (const track of localStream.value?.getAudioTracks() ?? []) track.enabled = micOn.value;
  }

  function toggleCamera(): void {
    cameraOn.value = hasCamera.value && !cameraOn.value;
    for (const track of localStream.value?.getVideoTracks() ?? []) track.enabled = cameraOn.value;
  }

  return {
    localStream,
    remoteStream,
    hasMic,
    hasCamera,
    micOn,
    cameraOn,
    notice,
    start,
    receive,
    stop,
    toggleMic,
    toggleCamera,
    resync: () => peer?.resync(),
    remoteFramesDecoded: (): Promise<number> => (peer ? framesDecoded(peer) : Promise.resolve(0)),
  };
}
