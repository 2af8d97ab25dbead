// This tab's media into the call's VideoRoom (docs/sfu.md): one publisher peer connection to Janus
// carrying the microphone, the camera (three VP8 simulcast layers) and, while sharing, the screen as a
// second video stream that Janus describes as "screen" to the others. This side always offers and Janus
// answers through the app server; every later offer (an ICE restart, a share) waits for the one before.
import type { DeviceSource, LocalTracks, ScreenShare } from "./peer";

/**
 * The camera's simulcast layers, highest first as Janus's own client sends them: full, half and
 * quarter resolution. Browsers drop layers a small capture cannot fill; Janus falls back by itself.
 */
export const SIMULCAST_LAYERS: RTCRtpEncodingParameters[] = [
  { rid: "h", maxBitrate: 900_000 },
  { rid: "m", maxBitrate: 300_000, scaleResolutionDownBy: 2 },
  { rid: "l", maxBitrate: 100_000, scaleResolutionDownBy: 4 },
];

/** Sends an offer to Janus (`screenMid`: its screen share's m-line); resolves with the answer, or null. */
export type Publish = (
  offer: RTCSessionDescriptionInit,
  screenMid?: string,
) => Promise<RTCSessionDescriptionInit | null>;

export class SfuPublisher {
  private readonly senders: Partial<Record<DeviceSource, RTCRtpSender>> = {};
  private screenTransceiver: RTCRtpTransceiver | null = null;
  /** Offers go one at a time: Janus answers each before the next may go. */
  private negotiation: Promise<void> = Promise.resolve();

  constructor(
    readonly pc: RTCPeerConnection,
    private readonly local: LocalTracks,
    private readonly publish: Publish,
  ) {}

  /** Adds the microphone, the camera (either may be missing) and a share under way, then publishes them. */
  start(screen: ScreenShare | null): Promise<void> {
    const { microphone, camera, stream } = this.local;
    const streams = stream ? [stream] : [];
    if (microphone)
      this.senders.microphone = this.pc.addTransceiver(microphone, { direction: "sendonly", streams }).sender;
    if (camera) {
      const init = { direction: "sendonly" as const, streams, sendEncodings: SIMULCAST_LAYERS };
      this.senders.camera = this.pc.addTransceiver(camera, init).sender;
    }
    if (screen) this.addScreen(screen);
    return this.negotiate();
  }

  private addScreen(share: ScreenShare): void {
    const init = { direction: "sendonly" as const, streams: [share.stream] };
    this.screenTransceiver = this.pc.addTransceiver(share.track, init);
  }

  /**
   * Starts, changes or stops the screen share: a transceiver of its own (reused by the next share),
   * inactive while none; each start or stop is published again.
   */
  setScreen(share: ScreenShare | null): void {
    const transceiver = this.screenTransceiver;
    if (!share) {
      if (!transceiver || transceiver.direction === "inactive") return;
      void transceiver.sender.replaceTrack(null);
      transceiver.direction = "inactive";
    } else if (!transceiver) {
      this.addScreen(share);
    } else {
      void transceiver.sender.replaceTrack(share.track);
      transceiver.sender.setStreams?.(share.stream);
      transceiver.direction = "sendonly";
    }
    void this.negotiate().catch(() => undefined);
  }

  /** Queues an offer (with whatever changed: fresh ICE credentials after restartIce) and its answer. */
  negotiate(): Promise<void> {
    const next = this.negotiation
      .then(async () => {
        const { pc } = this;
        if (pc.signalingState === "closed") return;
        await pc.setLocalDescription();
        const { type, sdp } = pc.localDescription!;
        const screenMid = this.screenTransceiver?.mid ?? undefined;
        const answer = await this.publish({ type, sdp }, screenMid);
        if (answer && pc.signalingState === "have-local-offer") await pc.setRemoteDescription(answer);
      })
      .catch((error: unknown) => {
        // Closed meanwhile (the call ended, or a resync replaced the connection): nothing to publish.
        if (this.pc.signalingState !== "closed") throw error;
      });
    this.negotiation = next.catch((error: unknown) => console.warn("[sfu] publish failed", error));
    return next;
  }

  /** An ICE restart: the next offer carries fresh ICE credentials, and Janus answers it. */
  restartIce(): void {
    this.pc.restartIce();
    void this.negotiate().catch(() => undefined);
  }

  /** Switches a device without renegotiating (the sender keeps its simulcast layers). */
  async replaceTrack(source: DeviceSource, track: MediaStreamTrack | null): Promise<void> {
    this.local[source] = track;
    await this.senders[source]?.replaceTrack(track);
  }

  close(): void {
    this.pc.close();
  }
}
