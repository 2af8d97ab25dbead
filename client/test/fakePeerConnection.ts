// A stand-in for RTCPeerConnection with the JSEP signalling state machine, enough to exercise perfect
// negotiation: operations run one after another as in a browser, setLocalDescription() without an
// argument makes an offer or an answer, and a remote offer in have-local-offer rolls back implicitly.
import { vi } from "vitest";

type Handler = ((event: any) => void) | null;

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
  readonly senders: { track: unknown; stream: unknown }[] = [];
  readonly transceivers: { kind: string; direction?: string }[] = [];
  readonly restartIce = vi.fn();
  readonly close = vi.fn(() => {
    this.signalingState = "closed";
  });
  private offers = 0;
  private stableLocal: RTCSessionDescriptionInit | null = null;
  private operations: Promise<unknown> = Promise.resolve();

  constructor(
    readonly name: string,
    public config: RTCConfiguration,
  ) {}

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
      }
      this.remoteDescription = description;
      this.history.push(`remote ${description.type}: ${description.sdp}`);
    });
  }

  async addIceCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    if (!this.remoteDescription) throw new DOMException("no remote description", "InvalidStateError");
    this.candidates.push(candidate);
  }

  addTrack(track: unknown, stream: unknown): void {
    this.senders.push({ track, stream });
  }
  addTransceiver(kind: string, init?: { direction?: string }): void {
    this.transceivers.push({ kind, direction: init?.direction });
  }
  getTransceivers(): { receiver: { track: { kind: string } } }[] {
    return this.transceivers.map(({ kind }) => ({ receiver: { track: { kind } } }));
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

/** A local track whose `stop()` can be checked: stopping is what turns the camera light off. */
export function fakeTrack(kind: "audio" | "video") {
  return { kind, enabled: true, stop: vi.fn() };
}

export type FakeTrack = ReturnType<typeof fakeTrack>;
export interface FakeStream {
  tracks: FakeTrack[];
  getTracks(): FakeTrack[];
  getAudioTracks(): FakeTrack[];
  getVideoTracks(): FakeTrack[];
}

export function fakeStream(kinds: ("audio" | "video")[]): FakeStream {
  const tracks = kinds.map(fakeTrack);
  // happy-dom's <video> accepts only its own MediaStream as srcObject; the methods below shadow its own.
  const base = typeof MediaStream === "undefined" ? {} : Object.create(MediaStream.prototype);
  return Object.assign(base, {
    tracks,
    getTracks: () => tracks,
    getAudioTracks: () => tracks.filter((t) => t.kind === "audio"),
    getVideoTracks: () => tracks.filter((t) => t.kind === "video"),
  });
}
