// A stand-in for RTCPeerConnection with the JSEP signalling state machine, enough to exercise perfect
// negotiation: operations run one after another as in a browser, setLocalDescription() without an
// argument makes an offer or an answer, and a remote offer in have-local-offer rolls back implicitly.
// Transceivers are kept as a browser keeps them (addTrack reuses one that never sent), and with
// `autoNegotiate` negotiationneeded fires by itself, as it does in a browser, once the pc is stable.
import { vi } from "vitest";

type Handler = ((event: any) => void) | null;

let nextTrackId = 0;

export class FakeSender {
  streams: unknown[] = [];
  constructor(public track: { kind: string; label?: string } | null) {}
  readonly replaceTrack = vi.fn(async (track: { kind: string; label?: string } | null) => {
    this.track = track;
  });
  readonly setStreams = vi.fn((...streams: unknown[]) => {
    this.streams = streams;
  });
}

export class FakeTransceiver {
  readonly sender: FakeSender;
  readonly receiver: { track: { kind: string; id: string } };
  readonly currentDirection: RTCRtpTransceiverDirection | null = null;
  /** Its m-line's mid: its index in the connection, as a browser gives them after the first offer. */
  mid: string | null = null;
  /** Whether it ever sent: addTrack reuses only a transceiver that did not. */
  sent = false;
  private dir: RTCRtpTransceiverDirection;
  constructor(
    readonly kind: string,
    direction: RTCRtpTransceiverDirection,
    track: { kind: string } | null,
    private readonly changed: () => void,
  ) {
    this.dir = direction;
    this.sender = new FakeSender(track);
    this.receiver = { track: { kind, id: `remote-${kind}-${(nextTrackId += 1)}` } };
    this.sent = direction === "sendrecv" || direction === "sendonly";
  }
  get direction(): RTCRtpTransceiverDirection {
    return this.dir;
  }
  set direction(next: RTCRtpTransceiverDirection) {
    if (next === this.dir) return;
    this.dir = next;
    if (next === "sendrecv" || next === "sendonly") this.sent = true;
    this.changed();
  }
}

export class FakePeerConnection {
  signalingState: RTCSignalingState = "stable";
  iceConnectionState: RTCIceConnectionState = "new";
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  onnegotiationneeded: Handler = null;
  onicecandidate: Handler = null;
  ontrack: Handler = null;
  oniceconnectionstatechange: Handler = null;
  /** What happened, in order: "rollback", "remote offer: B offer 1", … */
  readonly history: string[] = [];
  readonly candidates: RTCIceCandidateInit[] = [];
  readonly transceivers: FakeTransceiver[] = [];
  readonly restartIce = vi.fn();
  readonly close = vi.fn(() => {
    this.signalingState = "closed";
  });
  private offers = 0;
  private stableLocal: RTCSessionDescriptionInit | null = null;
  private operations: Promise<unknown> = Promise.resolve();
  private negotiationNeeded = false;

  constructor(
    readonly name: string,
    public config: RTCConfiguration,
    private readonly autoNegotiate = false,
  ) {}

  /** The transceivers that send a track: what the partner receives. */
  get senders(): FakeSender[] {
    return this.transceivers.filter((t) => t.sender.track).map((t) => t.sender);
  }

  /** Like a browser: negotiationneeded fires once the pc is stable and nothing else is queued. */
  private needNegotiation = (): void => {
    if (!this.autoNegotiate) return;
    this.negotiationNeeded = true;
    setTimeout(() => this.fireNegotiationNeeded(), 0);
  };

  private fireNegotiationNeeded(): void {
    if (!this.negotiationNeeded || this.signalingState !== "stable") return;
    this.negotiationNeeded = false;
    this.onnegotiationneeded?.({});
  }

  /** Like the browser's operations chain: each call waits for the previous one. */
  private enqueue<T>(operation: () => T): Promise<T> {
    const next = this.operations.then(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      return operation();
    });
    this.operations = next.catch(() => {});
    return next;
  }

  setLocalDescription(description?: RTCSessionDescriptionInit): Promise<void> {
    if (description) throw new Error("perfect negotiation calls setLocalDescription() without arguments");
    return this.enqueue(() => {
      if (this.signalingState === "have-remote-offer") {
        this.localDescription = {
          type: "answer",
          sdp: `${this.name} answer to ${this.remoteDescription?.sdp}`,
        };
        this.signalingState = "stable";
        this.stableLocal = this.localDescription;
        setTimeout(() => this.fireNegotiationNeeded(), 0);
      } else {
        this.offers += 1;
        this.localDescription = { type: "offer", sdp: `${this.name} offer ${this.offers}` };
        this.signalingState = "have-local-offer";
      }
      this.history.push(`local ${this.localDescription.sdp}`);
    });
  }

  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    return this.enqueue(() => {
      if (description.type === "offer") {
        if (this.signalingState === "have-local-offer") {
          this.history.push("rollback");
          this.localDescription = this.stableLocal;
          this.signalingState = "stable";
        }
        this.signalingState = "have-remote-offer";
      } else if (this.signalingState !== "have-local-offer") {
        throw new DOMException(`answer in ${this.signalingState}`, "InvalidStateError");
      } else {
        this.signalingState = "stable";
        this.stableLocal = this.localDescription;
        setTimeout(() => this.fireNegotiationNeeded(), 0);
      }
      this.remoteDescription = description;
      this.history.push(`remote ${description.type}: ${description.sdp}`);
    });
  }

  async addIceCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    if (!this.remoteDescription) throw new DOMException("no remote description", "InvalidStateError");
    this.candidates.push(candidate);
  }

  addTrack(track: { kind: string }, ...streams: unknown[]): FakeSender {
    const reused = this.transceivers.find((t) => t.kind === track.kind && !t.sender.track && !t.sent);
    const transceiver = reused ?? new FakeTransceiver(track.kind, "sendrecv", track, this.needNegotiation);
    if (reused) {
      reused.sender.track = track;
      reused.direction = reused.direction === "inactive" ? "sendonly" : "sendrecv";
    } else {
      this.transceivers.push(transceiver);
      this.needNegotiation();
    }
    transceiver.sender.streams = streams;
    return transceiver.sender;
  }
  addTransceiver(
    trackOrKind: string | { kind: string },
    init: { direction?: RTCRtpTransceiverDirection; streams?: unknown[] } = {},
  ): FakeTransceiver {
    const track = typeof trackOrKind === "string" ? null : trackOrKind;
    const kind = track?.kind ?? (trackOrKind as string);
    const transceiver = new FakeTransceiver(kind, init.direction ?? "sendrecv", track, this.needNegotiation);
    transceiver.sender.streams = init.streams ?? [];
    transceiver.mid = String(this.transceivers.length);
    this.transceivers.push(transceiver);
    this.needNegotiation();
    return transceiver;
  }
  getTransceivers(): FakeTransceiver[] {
    return [...this.transceivers];
  }
  /** Test helper: the partner's track arrives on transceiver `index`, in `stream`. */
  deliverTrack(index: number, stream: unknown = null): { kind: string; id: string } {
    const transceiver = this.transceivers[index]!;
    const track = transceiver.receiver.track;
    this.ontrack?.({ track, streams: stream ? [stream] : [], transceiver });
    return track;
  }
  getConfiguration(): RTCConfiguration {
    return this.config;
  }
  setConfiguration(config: RTCConfiguration): void {
    this.config = config;
  }
  async getStats(): Promise<Map<string, unknown>> {
    return new Map([["in", { type: "inbound-rtp", kind: "video", framesDecoded: 42 }]]);
  }

  /** Test helper: the ICE agent reports a new state. */
  setIceState(state: RTCIceConnectionState): void {
    this.iceConnectionState = state;
    this.oniceconnectionstatechange?.({});
  }
}

/**
 * A local track whose `stop()` can be checked: stopping is what turns the camera light off. An
 * EventTarget, so 'ended' can be dispatched as the browser does when a screen share is stopped.
 */
export function fakeTrack(kind: "audio" | "video", label = `${kind} ${(nextTrackId += 1)}`) {
  const track = Object.assign(new EventTarget(), {
    kind,
    label,
    enabled: true,
    readyState: "live" as MediaStreamTrackState,
    contentHint: "",
    stop: vi.fn(() => {
      track.readyState = "ended";
    }),
  });
  return track;
}

export type FakeTrack = ReturnType<typeof fakeTrack>;
export interface FakeStream {
  tracks: FakeTrack[];
  getTracks(): FakeTrack[];
  getAudioTracks(): FakeTrack[];
  getVideoTracks(): FakeTrack[];
}

export function fakeStream(
  kinds: ("audio" | "video")[],
  tracks = kinds.map((kind) => fakeTrack(kind)),
): FakeStream {
  // happy-dom's <video> accepts only its own MediaStream as srcObject; the methods below shadow its own.
  const base = typeof MediaStream === "undefined" ? {} : Object.create(MediaStream.prototype);
  return Object.assign(base, {
    tracks,
    getTracks: () => tracks,
    getAudioTracks: () => tracks.filter((t) => t.kind === "audio"),
    getVideoTracks: () => tracks.filter((t) => t.kind === "video"),
  });
}
