// A group call through the SFU (Janus VideoRoom, docs/sfu.md), with the same surface and events as the
// mesh so the stage and the devices drive either: one publisher peer connection (microphone, and the
// camera in three VP8 simulcast layers) and one multistream subscriber connection that Janus offers
// and re-offers as people come and go. Every SDP and candidate goes through the app server, which
// holds Janus's credentials; this side never sees them.
import type { MediaState, SfuStream } from "@videochat/protocol";
import { Emitter } from "./emitter";
import type { MeshEvents, Participant, RemoteParticipant } from "./mesh";
import type { DeviceSource, LocalTracks, PeerState, ScreenShare, TrackSource } from "./peer";
import type { LinkStats, StatEntry } from "./networkQuality";
import { IceRecovery } from "./recovery";
import { SfuPublisher } from "./sfuPublisher";
import { inboundVideoFramesDecoded, statEntries } from "./stats";

/** The server's side of the SFU signalling (sfu:* events), for one call. */
export interface SfuTransport {
  /** Takes a place in the call's VideoRoom; false when refused. */
  join(): Promise<boolean>;
  /** A publisher offer (`screenMid`: its screen share's m-line); resolves with Janus's answer, or null. */
  publish(offer: RTCSessionDescriptionInit, screenMid?: string): Promise<RTCSessionDescriptionInit | null>;
  answer(answer: RTCSessionDescriptionInit): Promise<boolean>;
  trickle(target: "publisher" | "subscriber", candidate: RTCIceCandidateInit | null): Promise<boolean>;
  /** Asks Janus to re-offer the subscription with fresh ICE credentials (it comes as receiveOffer). */
  restart(): Promise<boolean>;
}

export interface SfuOptions {
  selfId: string;
  transport: SfuTransport;
  iceServers: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  local: LocalTracks;
  /** Fresh ICE servers: TURN credentials are renewed before they expire and before every ICE restart. */
  fetchIceServers: () => Promise<RTCIceServer[]>;
  createPeerConnection?: (config: RTCConfiguration, target: SfuTarget) => RTCPeerConnection;
}

/** The two connections of an SFU call: this tab's media out, and everyone else's in. */
export type SfuTarget = "publisher" | "subscriber";

export class SfuCall extends Emitter<MeshEvents> {
  private readonly people = new Map<string, RemoteParticipant>();
  private publisher: SfuPublisher | null = null;
  private subscriber: RTCPeerConnection | null = null;
  /** Each connection's ICE watch: restarts on failure, TURN credentials renewed (recovery.ts). */
  private recoveries: IceRecovery[] = [];
  /** The ICE servers new connections start with: the freshest fetched. */
  private iceServers: RTCIceServer[];
  /** The subscription's m-lines: whose media each carries. */
  private streams: SfuStream[] = [];
  private readonly local: LocalTracks;
  private stopped = false;
  /** The screen this tab shares, also published again after a move to another node. */
  private screen: ScreenShare | null = null;
  private state: PeerState = "connecting";
  /** Offers are answered one at a time, in the order they came. */
  private offers: Promise<void> = Promise.resolve();

  constructor(private readonly options: SfuOptions) {
    super();
    this.local = { ...options.local };
    this.iceServers = options.iceServers;
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
    const { transport } = this.options;
    let publisher: SfuPublisher | null = null;
    const pc = this.connection("publisher", () => publisher?.restartIce());
    publisher = this.publisher = new SfuPublisher(pc, this.local, (offer, screenMid) =>
      transport.publish(offer, screenMid),
    );
    await publisher.start(this.screen);
  }

  /**
   * A connection to Janus whose path IceRecovery keeps alive; `restartIce` is how this side asks for
   * an ICE restart (only the subscriber's state is the participants' state: it carries their media).
   */
  private connection(target: SfuTarget, restartIce: () => void): RTCPeerConnection {
    const { iceTransportPolicy, transport, createPeerConnection } = this.options;
    const config = { iceServers: this.iceServers, iceTransportPolicy: iceTransportPolicy ?? "all" };
    const pc = createPeerConnection ? createPeerConnection(config, target) : new RTCPeerConnection(config);
    pc.onicecandidate = ({ candidate }) =>
      void transport.trickle(target, candidate ? candidate.toJSON() : null);
    const closed = () => this.stopped || pc.signalingState === "closed";
    this.recoveries.push(
      new IceRecovery({
        pc,
        fetchIceServers: async () => (this.iceServers = await this.options.fetchIceServers()),
        setState: (next) => target === "subscriber" && this.setState(next),
        get closed() {
          return closed();
        },
        restartIce,
      }),
    );
    return pc;
  }

  /**
   * A (re)offer of the subscription from Janus, with whose media each m-line carries; answers it after
   * any offer still being answered (Janus re-offers by itself when a feed goes, beside our updates).
   */
  receiveOffer(description: RTCSessionDescriptionInit, streams: SfuStream[]): Promise<void> {
    const next = this.offers
      .then(() => this.answerOffer(description, streams))
      .catch((error: unknown) => {
        // Stopped or resynced meanwhile: the closed connection's answer is not wanted any more.
        if (!this.stopped && this.subscriber && this.subscriber.signalingState !== "closed") throw error;
      });
    this.offers = next.catch(() => undefined);
    return next;
  }

  private async answerOffer(description: RTCSessionDescriptionInit, streams: SfuStream[]): Promise<void> {
    if (this.stopped) return;
    const { transport } = this.options;
    if (!this.subscriber) {
      const pc = this.connection("subscriber", () => void transport.restart());
      pc.ontrack = (event) => this.attach(event.transceiver.mid, event.track);
      this.subscriber = pc;
    }
    const pc = this.subscriber;
    this.streams = streams;
    await pc.setRemoteDescription(description);
    await pc.setLocalDescription();
    this.prune();
    const { type, sdp } = pc.localDescription!;
    await transport.answer({ type, sdp });
  }

  private sourceOf(mid: string | null): { person: RemoteParticipant; source: TrackSource } | null {
    const stream = this.streams.find((one) => one.mid === mid);
    const person = stream && this.people.get(stream.userId);
    if (!stream || !person) return null;
    const source = stream.kind === "audio" ? "microphone" : stream.screen ? "screen" : "camera";
    return { person, source };
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
    // A share that ended: its tile goes now, whenever Janus's re-offer takes the stream out.
    const screen = person.tracks.screen;
    if (!media.screen && screen) {
      delete person.tracks.screen;
      this.emit("trackUnsubscribed", { participant: person, source: "screen", track: screen });
    }
    if (before?.audio !== media.audio)
      this.emit("trackMuted", { participant: person, source: "microphone", muted: !media.audio });
    if (before?.video !== media.video)
      this.emit("trackMuted", { participant: person, source: "camera", muted: !media.video });
  }

  /** Switches a device without renegotiating (the publisher's sender keeps its simulcast layers). */
  async replaceTrack(source: DeviceSource, track: MediaStreamTrack | null): Promise<void> {
    this.local[source] = track;
    await this.publisher?.replaceTrack(source, track);
  }

  /** Starts or stops publishing a screen share (a second video stream, "screen" to the others). */
  setScreen(share: ScreenShare | null): void {
    this.screen = share;
    this.publisher?.setScreen(share);
  }

  /** After the signalling was down, or the call moved to another node: join and publish again. */
  /** The SFU re-offers a participant's new feed by itself (sfu:offer): nothing to restart here. */
  restartPeer(): void {}

  resync(): void {
    if (this.stopped) return;
    this.closeConnections();
    this.start().catch((error: unknown) => console.warn("[sfu] resync failed", error));
  }

  /** Video frames decoded so far from everyone (the subscriber's inbound-rtp stats). */
  async framesDecoded(): Promise<number> {
    return this.subscriber ? inboundVideoFramesDecoded(await this.subscriber.getStats()) : 0;
  }

  /**
   * What arrives from each participant: the subscriber's streams of their m-lines, with the connection's
   * own entries (the candidate pair, to the SFU); what goes out: the publisher's report.
   */
  async linkStats(): Promise<LinkStats> {
    const [sub, pub] = await Promise.all(
      [this.subscriber, this.publisher?.pc].map(async (pc) => (pc ? statEntries(await pc.getStats()) : [])),
    );
    const owner = new Map(this.streams.map((s) => [s.mid, s.userId]));
    const shared = sub!.filter((e) => e.type !== "inbound-rtp");
    const inbound = new Map<string, StatEntry[]>();
    for (const person of this.people.keys()) {
      const own = sub!.filter((e) => e.type === "inbound-rtp" && owner.get(e.mid ?? "") === person);
      inbound.set(person, [...own, ...shared]);
    }
    return { inbound, outbound: this.publisher ? [pub!] : [] };
  }

  private closeConnections(): void {
    for (const recovery of this.recoveries.splice(0)) recovery.stop();
    this.publisher?.close();
    this.subscriber?.close();
    this.publisher = null;
    this.subscriber = null;
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
