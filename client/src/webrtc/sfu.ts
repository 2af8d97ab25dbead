// A group call through the SFU (Janus VideoRoom, docs/sfu.md), with the same surface and events as the
// mesh so the stage and the devices drive either: one publisher peer connection (microphone, and the
// camera in three VP8 simulcast layers) and one multistream subscriber connection that Janus offers
// and re-offers as people come and go. Every SDP and candidate goes through the app server, which
// holds Janus's credentials; this side never sees them.
import type { MediaState, SfuStream } from "@videochat/protocol";
import { Emitter } from "./emitter";
import type { MeshEvents, Participant, RemoteParticipant } from "./mesh";
import type { DeviceSource, LocalTracks, PeerState, ScreenShare, TrackSource } from "./peer";
import { inboundVideoFramesDecoded } from "./stats";

/** The server's side of the SFU signalling (sfu:* events), for one call. */
export interface SfuTransport {
  /** Takes a place in the call's VideoRoom; false when refused. */
  join(): Promise<boolean>;
  /** The publisher offer; resolves with Janus's answer, or null when refused. */
  publish(offer: RTCSessionDescriptionInit): Promise<RTCSessionDescriptionInit | null>;
  answer(answer: RTCSessionDescriptionInit): Promise<boolean>;
  trickle(target: "publisher" | "subscriber", candidate: RTCIceCandidateInit | null): Promise<boolean>;
}

export interface SfuOptions {
  selfId: string;
  transport: SfuTransport;
  iceServers: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  local: LocalTracks;
}

/**
 * The camera's simulcast layers, highest first as Janus's own client sends them: full, half and
 * quarter resolution. Browsers drop layers a small capture cannot fill; Janus falls back by itself.
 */
export const SIMULCAST_LAYERS: RTCRtpEncodingParameters[] = [
  { rid: "h", maxBitrate: 900_000 },
  { rid: "m", maxBitrate: 300_000, scaleResolutionDownBy: 2 },
  { rid: "l", maxBitrate: 100_000, scaleResolutionDownBy: 4 },
];

const STATE: Partial<Record<RTCPeerConnectionState, PeerState>> = {
  connected: "connected",
  disconnected: "reconnecting",
  failed: "failed",
};

export class SfuCall extends Emitter<MeshEvents> {
  private readonly people = new Map<string, RemoteParticipant>();
  private publisher: RTCPeerConnection | null = null;
  private subscriber: RTCPeerConnection | null = null;
  private readonly senders: Partial<Record<DeviceSource, RTCRtpSender>> = {};
  /** The subscription's m-lines: whose media each carries. */
  private streams: SfuStream[] = [];
  private readonly local: LocalTracks;
  private stopped = false;
  private state: PeerState = "connecting";

  constructor(private readonly options: SfuOptions) {
    super();
    this.local = { ...options.local };
  }

  get participants(): RemoteParticipant[] {
    return [...this.people.values()];
  }

  participant(id: string): RemoteParticipant | undefined {
    return this.people.get(id);
  }

  /** Joins the VideoRoom and publishes; the others' media follows in sfu:offer (receiveOffer). */
  async start(): Promise<void> {
    if (this.stopped || !(await this.options.transport.join()) || this.stopped) return;
    const pc = this.connection("publisher");
    this.publisher = pc;
    const { microphone, camera, stream } = this.local;
    const streams = stream ? [stream] : [];
    if (microphone)
      this.senders.microphone = pc.addTransceiver(microphone, { direction: "sendonly", streams }).sender;
    if (camera) {
      const init = { direction: "sendonly" as const, streams, sendEncodings: SIMULCAST_LAYERS };
      this.senders.camera = pc.addTransceiver(camera, init).sender;
    }
    await pc.setLocalDescription(await pc.createOffer());
    const answer = await this.options.transport.publish(pc.localDescription!.toJSON());
    if (answer && pc === this.publisher) await pc.setRemoteDescription(answer);
  }

  private connection(target: "publisher" | "subscriber"): RTCPeerConnection {
    const { iceServers, iceTransportPolicy } = this.options;
    const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: iceTransportPolicy ?? "all" });
    pc.onicecandidate = ({ candidate }) =>
      void this.options.transport.trickle(target, candidate ? candidate.toJSON() : null);
    return pc;
  }

  /** A (re)offer of the subscription from Janus, with whose media each m-line carries; answers it. */
  async receiveOffer(description: RTCSessionDescriptionInit, streams: SfuStream[]): Promise<void> {
    if (this.stopped) return;
    if (!this.subscriber) {
      const pc = this.connection("subscriber");
      pc.ontrack = (event) => this.attach(event.transceiver.mid, event.track);
      pc.onconnectionstatechange = () => this.setState(STATE[pc.connectionState] ?? "connecting");
      this.subscriber = pc;
    }
    const pc = this.subscriber;
    this.streams = streams;
    await pc.setRemoteDescription(description);
    await pc.setLocalDescription(await pc.createAnswer());
    this.prune();
    await this.options.transport.answer(pc.localDescription!.toJSON());
  }

  private sourceOf(mid: string | null): { person: RemoteParticipant; source: TrackSource } | null {
    const stream = this.streams.find((one) => one.mid === mid);
    const person = stream && this.people.get(stream.userId);
    if (!stream || !person) return null;
    return { person, source: stream.kind === "audio" ? "microphone" : "camera" };
  }

  private attach(mid: string | null, track: MediaStreamTrack): void {
    const found = this.sourceOf(mid);
    if (!found) return;
    const { person, source } = found;
    person.tracks[source] = track;
    this.emit("trackSubscribed", { participant: person, source, track });
  }

  /** Drops tracks whose m-line the last offer no longer gives their owner (they left, unpublished). */
  private prune(): void {
    const live = new Set(
      (this.subscriber?.getTransceivers() ?? [])
        .filter((t) => t.currentDirection !== "inactive" && t.mid !== null)
        .map((t) => t.receiver.track),
    );
    for (const person of this.people.values()) {
      for (const [source, track] of Object.entries(person.tracks) as [TrackSource, MediaStreamTrack][]) {
        const owner = this.streams.some((s) => s.userId === person.id);
        if (live.has(track) && owner) continue;
        delete person.tracks[source];
        this.emit("trackUnsubscribed", { participant: person, source, track });
      }
    }
  }

  private setState(next: PeerState): void {
    this.state = next;
    for (const person of this.people.values()) {
      person.state = next;
      this.emit("stateChanged", { participant: person, state: next });
    }
  }

  /** The call's participants (self may be among them): tiles for newcomers, none for leavers. */
  setParticipants(list: readonly Participant[]): void {
    if (this.stopped) return;
    const ids = list.map((p) => p.id);
    for (const [id, person] of this.people) {
      if (ids.includes(id)) continue;
      this.people.delete(id);
      this.emit("participantLeft", person);
    }
    for (const one of list) {
      if (one.id === this.options.selfId) continue;
      const known = this.people.get(one.id);
      if (known) {
        known.name = one.name;
        continue;
      }
      const person: RemoteParticipant = { ...one, state: this.state, tracks: {}, media: null };
      this.people.set(one.id, person);
      this.emit("participantJoined", person);
      // Its media may have come before the call's state said who it is.
      for (const t of this.subscriber?.getTransceivers() ?? []) {
        if (this.sourceOf(t.mid)?.person === person) this.attach(t.mid, t.receiver.track);
      }
    }
  }

  /** The mesh's per-pair signals do not exist here; kept for the shared surface. */
  receive(): void {}

  /** What a participant said of its media (call:media): the tiles' initials and muted badge. */
  setRemoteMedia(peerId: string, media: MediaState): void {
    const person = this.people.get(peerId);
    if (!person) return;
    const before = person.media;
    person.media = media;
    if (before?.audio !== media.audio)
      this.emit("trackMuted", { participant: person, source: "microphone", muted: !media.audio });
    if (before?.video !== media.video)
      this.emit("trackMuted", { participant: person, source: "camera", muted: !media.video });
  }

  /** Switches a device without renegotiating (the publisher's sender keeps its simulcast layers). */
  async replaceTrack(source: DeviceSource, track: MediaStreamTrack | null): Promise<void> {
    this.local[source] = track;
    await this.senders[source]?.replaceTrack(track);
  }

  /** Screen shares through the SFU are not built yet (docs/sfu.md, "Left to do"). */
  setScreen(_share: ScreenShare | null): void {}

  /** After the signalling was down, or the call moved to another node: join and publish again. */
  resync(): void {
    if (this.stopped) return;
    this.closeConnections();
    void this.start();
  }

  /** Video frames decoded so far from everyone (the subscriber's inbound-rtp stats). */
  async framesDecoded(): Promise<number> {
    return this.subscriber ? inboundVideoFramesDecoded(await this.subscriber.getStats()) : 0;
  }

  private closeConnections(): void {
    this.publisher?.close();
    this.subscriber?.close();
    this.publisher = this.subscriber = null;
    delete this.senders.microphone;
    delete this.senders.camera;
    this.streams = [];
    this.prune();
  }

  /** Closes both connections; the local tracks stay the caller's to stop. */
  stop(): void {
    if (this.stopped) return;
    this.closeConnections();
    this.stopped = true;
    this.people.clear();
    this.removeAllListeners();
  }
}
