// One call's RTCPeerConnection, negotiated as in the W3C/MDN "perfect negotiation" example: either
// side may offer at any time; when offers collide the polite side rolls back and answers, the
// impolite side ignores the other offer. IceRecovery keeps the path alive once it exists.
import { Emitter } from "./emitter";
import { IceRecovery, type PeerState } from "./recovery";

export type { PeerState } from "./recovery";

/** One signalling message: a description or a trickled candidate. */
export interface PeerSignal {
  description?: RTCSessionDescriptionInit;
  candidate?: RTCIceCandidateInit | null;
}

export interface PeerEvents {
  state: PeerState;
  /** The partner's media; the same stream again when another of its tracks arrives. */
  stream: MediaStream;
}

export interface PeerOptions {
  /** The callee is polite: on a collision it gives up its own offer. */
  polite: boolean;
  iceServers: RTCIceServer[];
  localStream: MediaStream | null;
  /** Kinds we do not send but still want to receive, so the partner still sends theirs. */
  receiveOnly?: ("audio" | "video")[];
  /**
   * Add local media only once the partner's first offer is applied (the callee). Both sides offering
   * at once is legal, but Chromium's rollback of the callee's offer could leave it gathering no
   * candidates at all; answering the caller's offer with our tracks avoids the collision.
   */
  awaitOffer?: boolean;
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
  private readonly localStream: MediaStream | null;
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
  private remoteStream: MediaStream | null = null;
  /** Local media held back until the first remote offer (see PeerOptions.awaitOffer). */
  private heldMedia: (() => void) | null = null;

  constructor(options: PeerOptions) {
    super();
    this.polite = options.polite;
    this.localStream = options.localStream;
    this.sendSignal = options.sendSignal;
    this.fetchIceServers = options.fetchIceServers;
    const create = options.createPeerConnection ?? ((config) => new RTCPeerConnection(config));
    const pc = (this.pc = create({ iceServers: options.iceServers }));

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
    pc.ontrack = ({ track, streams }) => {
      // A track sent without a stream still needs one to be shown.
      const stream = streams[0] ?? (this.remoteStream ??= new MediaStream());
      if (!streams[0]) stream.addTrack(track);
      this.emit("stream", stream);
    };
    this.recovery = new IceRecovery(this);

    const addMedia = () => {
      const local = options.localStream;
      if (local) for (const track of local.getTracks()) pc.addTrack(track, local);
      // After the partner's offer, a transceiver of each offered kind exists and already receives.
      const offered = options.awaitOffer ? pc.getTransceivers().map((t) => t.receiver.track.kind) : [];
      for (const kind of options.receiveOnly ?? []) {
        if (!offered.includes(kind)) pc.addTransceiver(kind, { direction: "recvonly" });
      }
    };
    if (options.awaitOffer) this.heldMedia = addMedia;
    else addMedia();
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
        this.heldMedia?.();
        this.heldMedia = null;
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

  restart(): Promise<void> {
    return this.recovery.restart();
  }

  getStats(): Promise<RTCStatsReport> {
    return this.pc.getStats();
  }

  /** Ends the call's media: stops every local track (the camera light goes off) and closes the pc. */
  stop(): void {
    if (this.closed) return;
    this.recovery.stop();
    for (const track of this.localStream?.getTracks() ?? []) track.stop();
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
