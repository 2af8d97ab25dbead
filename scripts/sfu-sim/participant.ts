// A simulated participant of an SFU group call, in Node (docs/sfu.md, "Simulated participants"): it
// goes through the app as a browser tab does (POST /api/session, the Socket.IO handshake with the
// session token, group:start or group:join, then the sfu:* signalling) and holds the same two peer
// connections to Janus (werift): one publishing synthetic VP8 (vp8.ts: the same small key frame each
// time, about 150 kbit/s at 15 fps) at a steady frame rate, one
// multistream subscription to everyone else that Janus offers and re-offers. It counts the frames
// it receives from each publisher (a VP8 payload descriptor that starts a frame). It never reaches
// Janus itself: every SDP and candidate goes through the app server, as a browser's does.
import { io as connect, type Socket } from "socket.io-client";
import {
  RTCPeerConnection,
  RtpHeader,
  RtpPacket,
  type RTCIceCandidate,
  type RTCRtpSender,
  type RTCRtpTransceiver,
} from "werift";
import { vp8FrameStart, vp8Payload } from "./vp8.js";

/** What one participant says about the frames it got from one publisher. */
export interface Received {
  frames: number;
  keyframes: number;
  packets: number;
  bytes: number;
  /** performance.now() of the first and the last frame start. */
  firstAt: number | null;
  lastAt: number | null;
}

export interface SimOptions {
  /** The app's origin (an instance, or nginx in front of several). */
  url: string;
  name: string;
  room: string;
  /** Frames per second published; 15 by default. */
  fps?: number;
  /** Publish nothing: a viewer only. */
  receiveOnly?: boolean;
  /** The tab id sent as `?tab=` (nginx places a tab on an instance by it), as a page's tab id is. */
  tab?: string;
}

interface Ack {
  ok: boolean;
  error?: { code: string; message: string };
  [key: string]: unknown;
}

/** What a participant keeps of the room's group call: who is in it. */
export interface GroupCallSeen {
  id: string;
  version: number;
  participants: { id: string; name: string }[];
}

interface SfuStream {
  mid: string;
  userId: string;
  kind: "audio" | "video";
  screen?: true;
}

/** How long one request to the app may take (ms). */
const REQUEST_MS = 20_000;
/** 90 kHz: the RTP clock of video. */
const VIDEO_CLOCK = 90_000;

export class SimParticipant {
  /** Frames received, by the publisher's user id. */
  readonly received = new Map<string, Received>();
  /** What went wrong on the way (a refused request, a failed negotiation); empty when all is well. */
  readonly problems: string[] = [];
  framesSent = 0;
  /** How many times the call moved to another Janus node (sfu:moved) while this participant was in it. */
  moves = 0;
  callId: string | null = null;
  /** The room's group call as this participant last heard of it (acks and group:state). */
  call: GroupCallSeen | null = null;

  private publisher: RTCPeerConnection | null = null;
  private subscriber: RTCPeerConnection | null = null;
  private sender: RTCRtpSender | null = null;
  /** The subscription's m-lines: whose media each carries (the last sfu:offer's streams). */
  private streams = new Map<string, SfuStream>();
  private offers: Promise<void> = Promise.resolve();
  private ticker: NodeJS.Timeout | null = null;
  private closed = false;
  private sequence = Math.floor(Math.random() * 0xffff);
  private timestamp = Math.floor(Math.random() * 0xffffffff);

  private constructor(
    readonly options: SimOptions,
    readonly userId: string,
    readonly socket: Socket,
  ) {
    socket.on(
      "sfu:offer",
      (payload: { callId: string; description: { sdp: string }; streams: SfuStream[] }) => {
        if (payload.callId !== this.callId) return;
        this.offers = this.offers
          .then(() => this.answerOffer(payload.description.sdp, payload.streams))
          .catch((error: unknown) => this.problem(`answer: ${message(error)}`));
      },
    );
    socket.on("group:state", (payload: { call: GroupCallSeen | null }) => this.seen(payload.call));
    socket.on("sfu:moved", (payload: { callId: string }) => {
      if (payload.callId !== this.callId) return;
      this.moves += 1;
      void this.republish().catch((e: unknown) => this.problem(`move: ${message(e)}`));
    });
    socket.on("disconnect", (reason: string) => {
      if (!this.closed) this.problem(`disconnected: ${reason}`);
    });
  }

  /** Claims a session named `name` in `room` and connects its socket; resolves once it holds the room's state. */
  static async connect(options: SimOptions): Promise<SimParticipant> {
    const query = options.tab ? `?tab=${encodeURIComponent(options.tab)}` : "";
    const response = await fetch(`${options.url}/api/session${query}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: options.name, room: options.room }),
    });
    if (response.status !== 201)
      throw new Error(
        `${options.name}: POST /api/session ${response.status}: ${(await response.text()).slice(0, 200)}`,
      );
    const { token, user } = (await response.json()) as { token: string; user: { id: string } };
    const socket = connect(options.url, {
      auth: { token },
      ...(options.tab && { query: { tab: options.tab } }),
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      timeout: REQUEST_MS,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${options.name}: no room:state`)), REQUEST_MS);
      socket.once("room:state", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once("connect_error", (error: Error) => {
        clearTimeout(timer);
        reject(new Error(`${options.name}: connect_error ${error.message}`));
      });
    }).catch((error: unknown) => {
      socket.close();
      throw error;
    });
    return new SimParticipant(options, user.id, socket);
  }

  get name(): string {
    return this.options.name;
  }

  private async request(event: string, payload: unknown): Promise<Ack> {
    const ack = (await this.socket.timeout(REQUEST_MS).emitWithAck(event, payload)) as Ack;
    if (!ack.ok) throw new Error(`${this.name}: ${event} refused: ${ack.error?.code} ${ack.error?.message}`);
    return ack;
  }

  private seen(call: GroupCallSeen | null): void {
    if (!call) this.call = null;
    else if (!this.call || this.call.id !== call.id || call.version >= this.call.version) this.call = call;
  }

  /** Starts the room's group call (this participant first in it); resolves with its id. */
  async startCall(): Promise<string> {
    const ack = await this.request("group:start", {});
    this.seen(ack.call as GroupCallSeen);
    await this.expectSfu();
    return (this.callId = (ack.call as { id: string }).id);
  }

  /** Joins the room's group call `callId`. */
  async joinCall(callId: string): Promise<void> {
    const ack = await this.request("group:join", { callId });
    this.seen(ack.call as GroupCallSeen);
    await this.expectSfu();
    this.callId = callId;
  }

  /** Asks for ICE servers as a page does before a call; the app must run its group calls through an SFU. */
  private async expectSfu(): Promise<void> {
    const ack = await this.request("call:ice-servers", {});
    if (ack.sfu !== true)
      throw new Error(`${this.name}: the app has no SFU (call:ice-servers said sfu: ${String(ack.sfu)})`);
  }

  /**
   * Takes a place in the call's VideoRoom and publishes (unless receive-only); the others' media follows
   * in sfu:offer. Resolves once Janus answered the publisher's offer.
   */
  async startMedia(): Promise<void> {
    if (!this.callId) throw new Error(`${this.name}: not in a call`);
    await this.request("sfu:join", { callId: this.callId });
    if (!this.options.receiveOnly) await this.publish();
  }

  private peerConnection(target: "publisher" | "subscriber"): RTCPeerConnection {
    const pc = new RTCPeerConnection({ iceUseIpv6: false });
    pc.onicecandidate = ({ candidate }: { candidate?: RTCIceCandidate }) => {
      const wire = candidate?.candidate
        ? {
            candidate: candidate.candidate,
            sdpMid: candidate.sdpMid ?? null,
            sdpMLineIndex: candidate.sdpMLineIndex ?? null,
          }
        : null;
      this.request("sfu:trickle", { callId: this.callId, target, candidate: wire }).catch((error: unknown) =>
        this.problem(`trickle: ${message(error)}`),
      );
    };
    return pc;
  }

  private async publish(): Promise<void> {
    const pc = (this.publisher = this.peerConnection("publisher"));
    const transceiver = pc.addTransceiver("video", { direction: "sendonly" });
    this.sender = transceiver.sender;
    await pc.setLocalDescription(await pc.createOffer());
    const ack = await this.request("sfu:publish", {
      callId: this.callId,
      description: { type: "offer", sdp: pc.localDescription!.sdp },
    });
    await pc.setRemoteDescription(ack.description as { type: "answer"; sdp: string });
    this.startSending();
  }

  /** Sends one synthetic VP8 frame every 1/fps s while the publisher lives. */
  private startSending(): void {
    if (this.ticker) return;
    const fps = this.options.fps ?? 15;
    this.ticker = setInterval(() => {
      const sender = this.sender;
      if (!sender || this.publisher?.connectionState !== "connected") return;
      this.sequence = (this.sequence + 1) & 0xffff;
      this.timestamp = (this.timestamp + VIDEO_CLOCK / fps) >>> 0;
      const header = new RtpHeader({
        marker: true,
        sequenceNumber: this.sequence,
        timestamp: this.timestamp,
      });
      // Every frame is a key frame (vp8.ts): a picture loss indication needs no answer.
      const payload = vp8Payload(this.framesSent);
      this.framesSent += 1;
      sender.sendRtp(new RtpPacket(header, payload)).catch(() => undefined);
    }, 1000 / fps);
  }

  /** Answers one (re)offer of the subscription, after the one before. */
  private async answerOffer(sdp: string, streams: SfuStream[]): Promise<void> {
    if (this.closed) return;
    this.streams = new Map(streams.map((stream) => [stream.mid, stream]));
    if (!this.subscriber) {
      const pc = (this.subscriber = this.peerConnection("subscriber"));
      pc.ontrack = ({
        track,
        transceiver,
      }: {
        track: { onReceiveRtp: { subscribe(f: (rtp: RtpPacket) => void): unknown } };
        transceiver: RTCRtpTransceiver;
      }) => track.onReceiveRtp.subscribe((rtp) => this.count(transceiver.mid, rtp));
    }
    const pc = this.subscriber;
    await pc.setRemoteDescription({ type: "offer", sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await this.request("sfu:answer", {
      callId: this.callId,
      description: { type: "answer", sdp: pc.localDescription!.sdp },
    });
  }

  private count(mid: string | null | undefined, rtp: RtpPacket): void {
    const stream = mid == null ? undefined : this.streams.get(mid);
    if (!stream || stream.kind !== "video") return;
    const entry = this.received.get(stream.userId) ?? {
      frames: 0,
      keyframes: 0,
      packets: 0,
      bytes: 0,
      firstAt: null,
      lastAt: null,
    };
    this.received.set(stream.userId, entry);
    entry.packets += 1;
    entry.bytes += rtp.payload.length;
    const { start, keyframe } = vp8FrameStart(rtp.payload);
    if (!start) return;
    const now = performance.now();
    entry.frames += 1;
    if (keyframe) entry.keyframes += 1;
    entry.firstAt ??= now;
    entry.lastAt = now;
  }

  /** Where its two connections stand, e.g. "publisher connected, subscriber failed", for failure messages. */
  get connections(): string {
    const state = (pc: RTCPeerConnection | null) => pc?.connectionState ?? "none";
    return `publisher ${state(this.publisher)}, subscriber ${state(this.subscriber)}`;
  }

  /** Frames received from `userId` so far. */
  framesFrom(userId: string): number {
    return this.received.get(userId)?.frames ?? 0;
  }

  /** Total frames received from everyone. */
  get framesReceived(): number {
    let sum = 0;
    for (const entry of this.received.values()) sum += entry.frames;
    return sum;
  }

  /** The call moved to another Janus node (sfu:moved): join and publish again, as a page does. */
  private async republish(): Promise<void> {
    this.closeConnections();
    await this.startMedia();
  }

  private closeConnections(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.sender = null;
    for (const pc of [this.publisher, this.subscriber]) void pc?.close().catch(() => undefined);
    this.publisher = this.subscriber = null;
    this.streams.clear();
  }

  private problem(text: string): void {
    if (!this.closed) this.problems.push(`${this.name}: ${text}`);
  }

  /** Leaves the call (group:leave, unless `quietly`) and closes its connections and socket. */
  async close(quietly = false): Promise<void> {
    if (this.closed) return;
    if (!quietly && this.callId && this.socket.connected)
      await this.request("group:leave", {}).catch(() => undefined);
    this.closed = true;
    this.closeConnections();
    this.socket.close();
  }
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
