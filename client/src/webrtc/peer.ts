// One call's RTCPeerConnection, negotiated as in the W3C/MDN "perfect negotiation" example: either
// side may offer at any time; when offers collide the polite side rolls back and answers, the
// impolite side ignores the other offer. IceRecovery keeps the path alive once it exists; PeerTracks
// says which track is which.
import { Emitter } from "./emitter";
import { IceRecovery, type PeerState } from "./recovery";
import {
  type DeviceSource,
  type LocalTracks,
  PeerTracks,
  type RemoteTrack,
  type ScreenShare,
} from "./tracks";

export type { PeerState } from "./recovery";
export type { DeviceSource, LocalTracks, RemoteTrack, ScreenShare, TrackSource } from "./tracks";

/** One signalling message: a description or a trickled candidate. */
export interface PeerSignal {
  description?: RTCSessionDescriptionInit;
  candidate?: RTCIceCandidateInit | null;
}

export interface PeerEvents {
  state: PeerState;
  /** A track of the partner's arrived (again, after a pause: a screen share restarted). */
  track: RemoteTrack;
  /** The partner stopped sending one (a screen share ended). */
  trackEnded: RemoteTrack;
}

export interface PeerOptions {
  /** On a collision the polite side gives up its own offer (1:1: the callee; group: the greater id). */
  polite: boolean;
  iceServers: RTCIceServer[];
  /** RTCConfiguration.iceTransportPolicy; kept across ICE restarts (they change only the servers). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Microphone and camera; they stay the owner's (stop() leaves them running for other peers). */
  local: LocalTracks;
  /** A screen share already running when this peer starts (a newcomer joins a call while we share). */
  screen?: ScreenShare | null;
  /**
   * Add local media only once the partner's first offer is applied (the side that answers). Both
   * sides offering at once is legal, but Chromium's rollback of the callee's offer could leave it
   * gathering no candidates at all; answering the partner's offer with our tracks avoids the
   * collision, and keeps the transceiver layout PeerTracks relies on.
   */
  awaitOffer?: boolean;
  /** No media at all (a file transfer's RTCDataChannel): `local` is never added, not even receivers. */
  dataOnly?: boolean;
  /** Resolves with whether the message reached the server. */
  sendSignal: (signal: PeerSignal) => Promise<boolean>;
  /** Fresh ICE servers, asked before every ICE restart because TURN credentials expire. */
  fetchIceServers: () => Promise<RTCIceServer[]>;
  createPeerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
}

export class PeerSession extends Emitter<PeerEvents> {
  readonly polite: boolean;
  readonly pc: RTCPeerConnection;
  readonly fetchIceServers: PeerOptions["fetchIceServers"];
  private readonly tracks: PeerTracks;
  private readonly sendSignal: PeerOptions["sendSignal"];
  private readonly recovery: IceRecovery;
  private makingOffer = false;
  private ignoreOffer = false;
  private isSettingRemoteAnswerPending = false;
  /** Candidates that came before any remote description; addIceCandidate would reject them. */
  private pendingCandidates: RTCIceCandidateInit[] = [];
  /** Incoming signals are handled one at a time, in the order the server relayed them. */
  private incoming: Promise<void> = Promise.resolve();
  private state: PeerState = "connecting";
  private descriptionUndelivered = false;
  private readonly dataOnly: boolean;

  constructor(options: PeerOptions) {
    super();
    this.polite = options.polite;
    this.sendSignal = options.sendSignal;
    this.fetchIceServers = options.fetchIceServers;
    const create = options.createPeerConnection ?? ((config) => new RTCPeerConnection(config));
    const pc = (this.pc = create({
      iceServers: options.iceServers,
      iceTransportPolicy: options.iceTransportPolicy ?? "all",
    }));

    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        this.sendDescription();
      } catch (error) {
        console.warn("[peer] offer failed", error);
      } finally {
        this.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) void this.sendSignal({ candidate: candidate.toJSON() });
    };
    this.tracks = new PeerTracks(pc, options.local, options.screen ?? null, (remote) =>
      this.emit("trackEnded", remote),
    );
    pc.ontrack = (event) => this.emit("track", this.tracks.classify(event));
    this.recovery = new IceRecovery(this);

    this.dataOnly = options.dataOnly ?? false;
    if (!options.awaitOffer && !this.dataOnly) this.tracks.addLocal();
  }

  get currentState(): PeerState {
    return this.state;
  }

  get closed(): boolean {
    return this.state === "closed";
  }

  /** Feeds one signal from the partner. */
  receive(signal: PeerSignal): Promise<void> {
    this.incoming = this.incoming
      .then(() => this.handle(signal))
      .catch((error: unknown) => console.warn("[peer] signal failed", error));
    return this.incoming;
  }

  private async handle({ description, candidate }: PeerSignal): Promise<void> {
    const pc = this.pc;
    if (this.closed) return;
    if (description) {
      const readyForOffer =
        !this.makingOffer && (pc.signalingState === "stable" || this.isSettingRemoteAnswerPending);
      const offerCollision = description.type === "offer" && !readyForOffer;
      this.ignoreOffer = !this.polite && offerCollision;
      if (this.ignoreOffer) return;
      this.isSettingRemoteAnswerPending = description.type === "answer";
      await pc.setRemoteDescription(description); // rolls our own offer back when needed
      this.isSettingRemoteAnswerPending = false;
      if (description.type === "offer") {
        if (!this.dataOnly) this.tracks.addLocal(); // held back until now (awaitOffer); a no-op otherwise
        await pc.setLocalDescription();
        this.sendDescription();
      }
      await this.addPendingCandidates();
    } else if (candidate) {
      if (!pc.remoteDescription) this.pendingCandidates.push(candidate);
      else await this.addCandidate(candidate);
    }
  }

  private async addCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (error) {
      // Candidates of an offer we ignored are expected to fail.
      if (!this.ignoreOffer) throw error;
    }
  }

  private async addPendingCandidates(): Promise<void> {
    const pending = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const candidate of pending) {
      // One stale candidate (from a rolled-back offer) must not drop the others.
      await this.addCandidate(candidate).catch((error: unknown) => console.warn("[peer] candidate", error));
    }
  }

  private sendDescription(): void {
    const description = this.pc.localDescription;
    if (!description) return;
    void this.sendSignal({ description: { type: description.type, sdp: description.sdp } }).then(
      (delivered) => (this.descriptionUndelivered = !delivered),
    );
  }

  /**
   * After the signalling channel was down: a description that never left is sent again (the partner
   * is waiting for it), and a path that broke meanwhile is restarted.
   */
  resync(): void {
    if (this.closed) return;
    if (this.descriptionUndelivered) this.sendDescription();
    this.recovery.resync();
  }

  /** Switches the microphone or camera this peer sends (see PeerTracks.replace). */
  replaceTrack(source: DeviceSource, track: MediaStreamTrack | null): Promise<void> {
    return this.closed ? Promise.resolve() : this.tracks.replace(source, track);
  }

  /** Starts or stops sending a screen share (renegotiates). */
  setScreen(share: ScreenShare | null): void {
    if (!this.closed) this.tracks.setScreen(share);
  }

  restart(): Promise<void> {
    return this.recovery.restart();
  }

  getStats(): Promise<RTCStatsReport> {
    return this.pc.getStats();
  }

  /** Closes the connection. The local tracks are the caller's to stop: other peers may still send them. */
  stop(): void {
    if (this.closed) return;
    this.recovery.stop();
    this.pc.onnegotiationneeded = this.pc.onicecandidate = this.pc.ontrack = null;
    this.pc.close();
    this.setState("closed");
    this.removeAllListeners();
  }

  /** The only place the state changes: no-op changes are dropped, every transition is emitted. */
  setState(next: PeerState): void {
    if (next === this.state || this.closed) return;
    if (import.meta.env?.DEV && import.meta.env.MODE !== "test") {
      console.debug(`[peer] ${this.state} -> ${next}`);
    }
    this.state = next;
    this.emit("state", next);
  }
}
