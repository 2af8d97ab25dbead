// A call as a room of participants with tracks (LiveKit's client model, in small): one PeerSession per
// remote participant, a full mesh. The 1:1 call is the two-person case; only the transport of the
// signals (call:signal or group:signal) and who offers first differ, and both come in as options.
import type { MediaState } from "@videochat/protocol";
import { Emitter } from "./emitter";
import {
  type DeviceSource,
  type LocalTracks,
  PeerSession,
  type PeerSignal,
  type PeerState,
  type ScreenShare,
  type TrackSource,
} from "./peer";
import type { LinkStats } from "./networkQuality";
import { inboundVideoFramesDecoded, statEntries } from "./stats";

export interface Participant {
  id: string;
  name: string;
}

export interface RemoteParticipant extends Participant {
  state: PeerState;
  /** The tracks arriving from this participant now, by source. */
  tracks: Partial<Record<TrackSource, MediaStreamTrack>>;
  /** What the participant last said of its media (call:media); null until it says. */
  media: MediaState | null;
}

/** Carries one pair's signals; resolves with whether the server took the signal. */
export interface SignalTransport {
  send(peerId: string, signal: PeerSignal): Promise<boolean>;
}

/** How one pair negotiates: who yields on a collision, and who waits for the other's first offer. */
export interface PairRoles {
  polite: boolean;
  awaitOffer: boolean;
}

export interface TrackEvent {
  participant: RemoteParticipant;
  source: TrackSource;
  track: MediaStreamTrack;
}

export interface MeshEvents {
  participantJoined: RemoteParticipant;
  participantLeft: RemoteParticipant;
  trackSubscribed: TrackEvent;
  trackUnsubscribed: TrackEvent;
  /** From call:media: the participant turned its microphone or camera off (muted) or on. */
  trackMuted: { participant: RemoteParticipant; source: DeviceSource; muted: boolean };
  stateChanged: { participant: RemoteParticipant; state: PeerState };
}

export interface MeshOptions {
  selfId: string;
  transport: SignalTransport;
  /** Called with the participants' ids in the order they joined (self included). */
  roles: (peerId: string, order: readonly string[]) => PairRoles;
  iceServers: RTCIceServer[];
  /** "relay": TURN candidates only, so no participant learns another's addresses. Default "all". */
  iceTransportPolicy?: RTCIceTransportPolicy;
  fetchIceServers: () => Promise<RTCIceServer[]>;
  local: LocalTracks;
  /** Tests swap the browser's RTCPeerConnection for a fake; `peerId` is who it connects to. */
  createPeerConnection?: (config: RTCConfiguration, peerId: string) => RTCPeerConnection;
}

/**
 * The group call's rule (protocol.ts, GroupSignal): the polite side is the greater user id, and the
 * newcomer offers to everyone already in the call, so a pair's first offers never cross.
 */
export function groupRoles(selfId: string): MeshOptions["roles"] {
  return (peerId, order) => {
    const self = order.indexOf(selfId);
    return { polite: selfId > peerId, awaitOffer: self >= 0 && order.indexOf(peerId) > self };
  };
}

/** The 1:1 call's rule: the caller offers; the callee, who accepted, is polite and answers. */
export function callRoles(caller: boolean): MeshOptions["roles"] {
  return () => ({ polite: !caller, awaitOffer: !caller });
}

/** Signals from someone not (yet) known to be in the call are kept, this many per person. */
const EARLY_SIGNAL_LIMIT = 200;

interface Peer {
  participant: RemoteParticipant;
  session: PeerSession;
}

export class MeshCall extends Emitter<MeshEvents> {
  private readonly peers = new Map<string, Peer>();
  /** A newcomer's offer can overtake the state that lists it. */
  private readonly early = new Map<string, PeerSignal[]>();
  private local: LocalTracks;
  /** The participants' ids in the order they joined, as last set: a restarted peer gets the same roles. */
  private order: readonly string[] = [];
  private screen: ScreenShare | null = null;
  private stopped = false;

  constructor(private readonly options: MeshOptions) {
    super();
    this.local = { ...options.local };
  }

  get participants(): RemoteParticipant[] {
    return [...this.peers.values()].map((peer) => peer.participant);
  }

  participant(id: string): RemoteParticipant | undefined {
    return this.peers.get(id)?.participant;
  }

  /** The call's participants in the order they joined (self may be among them): peers follow it. */
  setParticipants(list: readonly Participant[]): void {
    if (this.stopped) return;
    const order = list.map((p) => p.id);
    this.order = order;
    for (const [id, peer] of this.peers) if (!order.includes(id)) this.drop(peer);
    for (const person of list) {
      const known = this.peers.get(person.id);
      if (known) known.participant.name = person.name;
      else if (person.id !== this.options.selfId) this.connect(person, order);
    }
  }

  private connect(person: Participant, order: readonly string[]): void {
    const { polite, awaitOffer } = this.options.roles(person.id, order);
    const participant: RemoteParticipant = { ...person, state: "connecting", tracks: {}, media: null };
    const create = this.options.createPeerConnection;
    const session = new PeerSession({
      polite,
      awaitOffer,
      iceServers: this.options.iceServers,
      iceTransportPolicy: this.options.iceTransportPolicy,
      local: this.local,
      screen: this.screen,
      sendSignal: (signal) => this.options.transport.send(person.id, signal),
      fetchIceServers: this.options.fetchIceServers,
      createPeerConnection: create && ((config) => create(config, person.id)),
    });
    this.peers.set(person.id, { participant, session });
    session.on("state", (state) => {
      participant.state = state;
      this.emit("stateChanged", { participant, state });
    });
    session.on("track", ({ source, track }) => {
      participant.tracks[source] = track;
      this.emit("trackSubscribed", { participant, source, track });
    });
    session.on("trackEnded", ({ source, track }) => {
      if (participant.tracks[source] !== track) return;
      delete participant.tracks[source];
      this.emit("trackUnsubscribed", { participant, source, track });
    });
    this.emit("participantJoined", participant);
    const early = this.early.get(person.id) ?? [];
    this.early.delete(person.id);
    for (const signal of early) void session.receive(signal);
  }

  private drop(peer: Peer): void {
    peer.session.stop();
    this.peers.delete(peer.participant.id);
    this.emit("participantLeft", peer.participant);
  }

  /**
   * `peerId` came back on a new page load: its old connection's far end is gone, so it closes and a
   * new one starts, with the pair's roles as before (the far side's new page does the same).
   */
  restartPeer(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (this.stopped || !peer) return;
    this.drop(peer);
    // Signals from the old page that arrived meanwhile would confuse the new connection.
    this.early.delete(peerId);
    this.connect({ id: peerId, name: peer.participant.name }, this.order);
  }

  /** One signal from `peerId`, relayed by the server. */
  receive(peerId: string, signal: PeerSignal): void {
    if (this.stopped || peerId === this.options.selfId) return;
    const peer = this.peers.get(peerId);
    if (peer) return void peer.session.receive(signal);
    const early = this.early.get(peerId) ?? [];
    if (early.length < EARLY_SIGNAL_LIMIT) this.early.set(peerId, [...early, signal]);
  }

  /** What `peerId` said of its media; the tiles show initials and a muted badge from it. */
  setRemoteMedia(peerId: string, media: MediaState): void {
    const participant = this.peers.get(peerId)?.participant;
    if (!participant) return;
    const before = participant.media;
    participant.media = media;
    if (before?.audio !== media.audio) {
      this.emit("trackMuted", { participant, source: "microphone", muted: !media.audio });
    }
    if (before?.video !== media.video) {
      this.emit("trackMuted", { participant, source: "camera", muted: !media.video });
    }
  }

  /** Switches a device for every peer at once (replaceTrack: no renegotiation). */
  async replaceTrack(source: DeviceSource, track: MediaStreamTrack | null): Promise<void> {
    this.local[source] = track;
    await Promise.all([...this.peers.values()].map((peer) => peer.session.replaceTrack(source, track)));
  }

  /** Starts or stops sending a screen share to everyone, newcomers included. */
  setScreen(share: ScreenShare | null): void {
    this.screen = share;
    for (const peer of this.peers.values()) peer.session.setScreen(share);
  }

  /** After the signalling channel was down: each peer re-sends what was lost and repairs its path. */
  resync(): void {
    for (const peer of this.peers.values()) peer.session.resync();
  }

  /** Video frames decoded so far from everyone (inbound-rtp stats). */
  async framesDecoded(): Promise<number> {
    const reports = await Promise.all([...this.peers.values()].map((peer) => peer.session.getStats()));
    return reports.reduce((sum, report) => sum + inboundVideoFramesDecoded(report), 0);
  }

  /** One peer connection per participant: it carries both what arrives from them and ours out to them. */
  async linkStats(): Promise<LinkStats> {
    const peers = [...this.peers.values()];
    const reports = await Promise.all(peers.map(async (peer) => statEntries(await peer.session.getStats())));
    const inbound = new Map(peers.map((peer, i) => [peer.participant.id, reports[i]!]));
    return { inbound, outbound: reports };
  }

  /** Closes every peer connection. The local tracks stay the caller's to stop. */
  stop(): void {
    if (this.stopped) return;
    for (const peer of this.peers.values()) peer.session.stop();
    this.peers.clear();
    this.early.clear();
    this.stopped = true;
    this.removeAllListeners();
  }
}
