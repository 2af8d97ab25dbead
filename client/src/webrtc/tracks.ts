// What one peer connection sends and receives, by source. The layout of the transceivers is the whole
// protocol, so both sides agree without any metadata: the first audio transceiver carries the
// microphones, the first video transceiver the cameras, and every later video transceiver a screen share.

/** Where a track comes from: LiveKit's Track.Source, in small. */
export type TrackSource = "microphone" | "camera" | "screen";
/** The sources a person picks a device for (and that switch by replaceTrack). */
export type DeviceSource = Exclude<TrackSource, "screen">;

/** What a peer sends from its first offer; either track may be missing (no device, refused). */
export interface LocalTracks {
  microphone: MediaStreamTrack | null;
  camera: MediaStreamTrack | null;
  /** The stream both travel in (one msid), so the receiving browser keeps them in sync. */
  stream: MediaStream | null;
}

export interface ScreenShare {
  track: MediaStreamTrack;
  /** A stream of its own, so the share never groups with the camera on the other side. */
  stream: MediaStream;
}

export interface RemoteTrack {
  source: TrackSource;
  track: MediaStreamTrack;
}

const KIND: Record<DeviceSource, "audio" | "video"> = { microphone: "audio", camera: "video" };

/**
 * Keeps the layout above. Transceivers are listed in the order they were created, which is their
 * m-line order as long as only one side creates the first ones (the answering side waits for the
 * offer: PeerOptions.awaitOffer), so "first video transceiver" means the camera on both sides.
 */
export class PeerTracks {
  private readonly senders: Partial<Record<DeviceSource, RTCRtpSender>> = {};
  private screenTransceiver: RTCRtpTransceiver | null = null;
  private readonly local: LocalTracks;
  private added = false;

  constructor(
    private readonly pc: RTCPeerConnection,
    local: LocalTracks,
    /** Until addLocal, what a share would start with; a change meanwhile goes in instead. */
    private screen: ScreenShare | null,
    private readonly remoteEnded: (remote: RemoteTrack) => void,
  ) {
    // A copy: a device switched while the media is held back (awaitOffer) goes in instead.
    this.local = { ...local };
  }

  private get stream(): MediaStream | null {
    return this.local.stream;
  }

  /**
   * Sends the microphone and camera, once; a missing one still gets a receiving transceiver, so the
   * other side's goes on arriving. After the partner's offer, addTrack reuses the offered transceivers.
   */
  addLocal(): void {
    if (this.added) return;
    this.added = true;
    for (const source of ["microphone", "camera"] as const) {
      const track = this.local[source];
      const kind = KIND[source];
      if (track) this.senders[source] = this.addTrack(track);
      else if (!this.firstOf(kind)) this.pc.addTransceiver(kind, { direction: "recvonly" });
    }
    if (this.screen) this.setScreen(this.screen);
  }

  private addTrack(track: MediaStreamTrack): RTCRtpSender {
    return this.stream ? this.pc.addTrack(track, this.stream) : this.pc.addTrack(track);
  }

  private firstOf(kind: "audio" | "video"): RTCRtpTransceiver | undefined {
    return this.pc
      .getTransceivers()
      .find((t) => t.currentDirection !== "stopped" && t.receiver.track.kind === kind);
  }

  /**
   * Switches a device without renegotiation (RTCRtpSender.replaceTrack) while its transceiver is
   * sending; a source that had no device yet starts sending, which does renegotiate.
   */
  async replace(source: DeviceSource, track: MediaStreamTrack | null): Promise<void> {
    if (!this.added) return void (this.local[source] = track);
    const sender = this.senders[source];
    if (sender) return sender.replaceTrack(track);
    if (!track) return;
    const transceiver = this.firstOf(KIND[source]);
    if (!transceiver) {
      this.senders[source] = this.addTrack(track);
      return;
    }
    await transceiver.sender.replaceTrack(track);
    if (this.stream) transceiver.sender.setStreams?.(this.stream);
    transceiver.direction = "sendrecv";
    this.senders[source] = transceiver.sender;
  }

  /** Starts, changes or stops the screen share: its transceiver's direction changes, so it renegotiates. */
  setScreen(share: ScreenShare | null): void {
    this.screen = share;
    if (!this.added) return;
    const transceiver = this.screenTransceiver;
    if (!share) {
      if (transceiver && transceiver.direction !== "inactive") {
        void transceiver.sender.replaceTrack(null);
        transceiver.direction = "inactive";
      }
      return;
    }
    if (!transceiver) {
      this.screenTransceiver = this.pc.addTransceiver(share.track, {
        direction: "sendonly",
        streams: [share.stream],
      });
      return;
    }
    void transceiver.sender.replaceTrack(share.track);
    transceiver.sender.setStreams?.(share.stream);
    transceiver.direction = "sendonly";
  }

  /** Names a remote track by where it arrived, and reports it once the partner stops sending it. */
  classify({ track, streams, transceiver }: RTCTrackEvent): RemoteTrack {
    const source: TrackSource =
      track.kind === "audio" ? "microphone" : this.firstOf("video") === transceiver ? "camera" : "screen";
    const remote = { source, track };
    // The browser removes the track from its stream when the partner's direction stops sending.
    const stream = streams[0];
    const onRemove = (event: Event) => {
      if ((event as MediaStreamTrackEvent).track !== track) return;
      stream?.removeEventListener("removetrack", onRemove);
      this.remoteEnded(remote);
    };
    stream?.addEventListener?.("removetrack", onRemove);
    return remote;
  }
}
