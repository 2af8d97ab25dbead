// Watching media from outside the app: an init script records every captured track and every peer
// connection the page creates, so a test can ask "is anything still capturing?" and "are frames
// being decoded?" without the app exposing its internals, and a failure can show how each peer
// connection's negotiation went. The app gets the browser's own objects and promises back.
import type { BrowserContext, Locator, Page } from "playwright-core";

interface MediaProbe {
  /** Every track getUserMedia and getDisplayMedia returned, and every clone of one. */
  tracks: MediaStreamTrack[];
  peers: RTCPeerConnection[];
  /** Per peer connection, what the app asked of it and what it reported, with times in ms. */
  logs: Map<RTCPeerConnection, string[]>;
}

declare global {
  interface Window {
    __e2eMedia?: MediaProbe;
  }
}

/** Runs in the page before the app's scripts. Observes only: the app gets the same objects back. */
function probe(): void {
  const media: MediaProbe = { tracks: [], peers: [], logs: new Map() };
  Object.defineProperty(window, "__e2eMedia", { value: media });

  const devices = navigator.mediaDevices;
  if (devices?.getUserMedia) {
    const getUserMedia = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
      const stream = await getUserMedia(constraints);
      media.tracks.push(...stream.getTracks());
      return stream;
    };
  }
  if (devices?.getDisplayMedia) {
    const getDisplayMedia = devices.getDisplayMedia.bind(devices);
    devices.getDisplayMedia = async (options?: DisplayMediaStreamOptions) => {
      const stream = await getDisplayMedia(options);
      media.tracks.push(...stream.getTracks());
      return stream;
    };
  }

  const clone = MediaStreamTrack.prototype.clone;
  MediaStreamTrack.prototype.clone = function (this: MediaStreamTrack) {
    const copy = clone.call(this);
    media.tracks.push(copy);
    return copy;
  };

  const NativePeerConnection = window.RTCPeerConnection;
  const started = performance.now();
  window.RTCPeerConnection = class extends NativePeerConnection {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      media.peers.push(this);
      media.logs.set(this, []);
      this.note(`created iceServers=${configuration?.iceServers?.length ?? 0}`);
      this.addEventListener("negotiationneeded", () => this.note("negotiationneeded"));
      this.addEventListener("signalingstatechange", () => this.note(`signaling ${this.signalingState}`));
      this.addEventListener("icegatheringstatechange", () =>
        this.note(`gathering ${this.iceGatheringState}`),
      );
      this.addEventListener("iceconnectionstatechange", () => this.note(`ice ${this.iceConnectionState}`));
      this.addEventListener("icecandidate", ({ candidate }) =>
        this.note(candidate ? `candidate ${candidate.type ?? "?"}` : "end of candidates"),
      );
    }

    /** Keeps the first 300 entries: enough to see how a negotiation went wrong. */
    note(entry: string): void {
      const log = media.logs.get(this);
      if (log && log.length < 300) log.push(`${Math.round(performance.now() - started)} ${entry}`);
    }

    /** Returns the browser's own promise, so the app sees the same timing as without the probe. */
    watch(call: string, done: Promise<void>): Promise<void> {
      this.note(call);
      done.then(
        () => this.note(`${call} ok`),
        (error: unknown) => this.note(`${call} failed: ${String(error)}`),
      );
      return done;
    }

    override setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void> {
      return this.watch(`setLocal(${description?.type ?? ""})`, super.setLocalDescription(description));
    }

    override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
      return this.watch(`setRemote(${description.type})`, super.setRemoteDescription(description));
    }

    override addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void> {
      return this.watch(
        `addCandidate(${candidate?.candidate ? "" : "end"})`,
        super.addIceCandidate(candidate),
      );
    }

    override restartIce(): void {
      this.note("restartIce");
      super.restartIce();
    }

    override setConfiguration(configuration?: RTCConfiguration): void {
      this.note("setConfiguration");
      super.setConfiguration(configuration);
    }

    override close(): void {
      this.note("close");
      super.close();
    }
  };
}

export async function installMediaProbe(context: BrowserContext): Promise<void> {
  await context.addInitScript(probe);
}

/** Captured tracks of the page: how many there were, and which are still live ("audio", "video"). */
export function capturedTracks(page: Page): Promise<{ total: number; live: string[] }> {
  return page.evaluate(() => {
    const tracks = window.__e2eMedia?.tracks ?? [];
    return {
      total: tracks.length,
      live: tracks.filter((track) => track.readyState === "live").map((track) => track.kind),
    };
  });
}

/** Video frames decoded so far over all of the page's open peer connections (inbound-rtp stats). */
export function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let frames = 0;
    for (const peer of window.__e2eMedia?.peers ?? []) {
      if (peer.connectionState === "closed") continue;
      const report = await peer.getStats();
      report.forEach((stats: { type: string; kind?: string; framesDecoded?: number }) => {
        if (stats.type === "inbound-rtp" && stats.kind === "video") frames += stats.framesDecoded ?? 0;
      });
    }
    return frames;
  });
}

/** What a <video> element shows: its intrinsic size and how many frames it has presented. */
export function videoState(video: Locator): Promise<{ width: number; height: number; frames: number }> {
  return video.evaluate((element) => {
    const v = element as HTMLVideoElement;
    return {
      width: v.videoWidth,
      height: v.videoHeight,
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
    };
  });
}

/** The tracks of a <video>'s srcObject and their states; null when it shows no stream. */
export function videoTracks(video: Locator): Promise<{ kind: string; readyState: string }[] | null> {
  return video.evaluate((element) => {
    const stream = (element as HTMLVideoElement).srcObject;
    if (!(stream instanceof MediaStream)) return null;
    return stream.getTracks().map((track) => ({ kind: track.kind, readyState: track.readyState }));
  });
}

/** Where each of the page's peer connections stands, and its log, for failure messages. */
export function peerSummaries(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (window.__e2eMedia?.peers ?? []).map((peer, index) => {
      const directions = peer
        .getTransceivers()
        .map((t) => `${t.receiver.track.kind}:${t.currentDirection ?? t.direction}`)
        .join(",");
      const log = window.__e2eMedia?.logs.get(peer) ?? [];
      return (
        `pc${index} connection=${peer.connectionState} ice=${peer.iceConnectionState}` +
        ` gathering=${peer.iceGatheringState} signaling=${peer.signalingState}` +
        ` local=${peer.localDescription?.type ?? "none"} remote=${peer.remoteDescription?.type ?? "none"}` +
        ` transceivers=[${directions}]\n      ${log.join("\n      ")}`
      );
    }),
  );
}

/** How many descriptions the page's open peer connections have set: a renegotiation adds to it. */
export function negotiations(page: Page): Promise<number> {
  return page.evaluate(() => {
    let count = 0;
    for (const peer of window.__e2eMedia?.peers ?? []) {
      if (peer.connectionState === "closed") continue;
      const log = window.__e2eMedia?.logs.get(peer) ?? [];
      count += log.filter((entry) => / set(Local|Remote)\(/.test(entry)).length;
    }
    return count;
  });
}

/** The labels of the video tracks the page's open peer connections send ("fake_device_0", "screen:…"). */
export function sentVideoLabels(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (window.__e2eMedia?.peers ?? [])
      .filter((peer) => peer.connectionState !== "closed")
      .flatMap((peer) => peer.getSenders())
      .map((sender) => sender.track)
      .filter((track): track is MediaStreamTrack => track?.kind === "video")
      .map((track) => track.label),
  );
}

/**
 * What the browser's own "Stop sharing" control does: the screen track ends ('ended' fires). A page
 * cannot press that control, and track.stop() fires no event, so the event is dispatched as the
 * browser would.
 */
export function endScreenCapture(page: Page): Promise<number> {
  return page.evaluate(() => {
    const screens = (window.__e2eMedia?.tracks ?? []).filter(
      (track) => track.readyState === "live" && track.getSettings().displaySurface !== undefined,
    );
    for (const track of screens) {
      track.stop();
      track.dispatchEvent(new Event("ended"));
    }
    return screens.length;
  });
}
