// One tab's place in a call's VideoRoom, held by the instance its socket is on: a publisher handle
// (its own media) and a multistream subscriber handle (everyone else's). The subscription follows the
// room: whenever Janus says publishers changed, the participant re-reads the room (with its secret) and
// subscribes to new feeds and drops gone ones, one renegotiation at a time, each answered by the tab.
import type { Jsep } from "janode";
import VideoRoomPlugin, { type SubscriberStream, type VideoRoomHandle } from "janode/plugins/videoroom";
import type { Logger } from "../logger.js";
import type { SessionDescription, SfuStream } from "../protocol.js";
import type { AppSocket } from "../realtime/deps.js";
import type { SfuPlacement } from "../state/sfu/contract.js";
import type { JanusNode } from "./nodes.js";

/** How long a renegotiation waits for the tab's answer before the next one goes ahead (ms). */
const ANSWER_WAIT_MS = 10_000;

/** Janus's subscription m-lines as the client needs them: whose media each carries. */
export function streamsOf(streams: readonly SubscriberStream[] | undefined): SfuStream[] {
  return (streams ?? [])
    .filter((stream) => stream.type !== "data" && stream.active !== false && stream.feed_display)
    .map((stream) => ({
      mid: stream.mid,
      userId: stream.feed_display!,
      kind: stream.type as "audio" | "video",
    }));
}

export class SfuParticipant {
  private subscriber: VideoRoomHandle | null = null;
  /** Feeds subscribed to now. */
  private readonly subscribed = new Set<string>();
  /** Feed id -> user id, from the last read of the room (for talking events). */
  private readonly users = new Map<string, string>();
  private chain: Promise<void> = Promise.resolve();
  private answered: (() => void) | null = null;
  closed = false;

  constructor(
    readonly socket: AppSocket,
    readonly userId: string,
    readonly placement: SfuPlacement,
    readonly node: JanusNode,
    readonly publisher: VideoRoomHandle,
    private readonly logger: Logger,
  ) {
    const refresh = () => this.refresh();
    publisher.on(VideoRoomPlugin.EVENT.PUB_LIST, refresh);
    publisher.on(VideoRoomPlugin.EVENT.UNPUBLISHED, refresh);
    publisher.on(VideoRoomPlugin.EVENT.LEAVING, refresh);
    publisher.on(VideoRoomPlugin.EVENT.KICKED, () => void this.close());
    publisher.on(VideoRoomPlugin.EVENT.TALKING, (event: { feed: string; talking: boolean }) => {
      const userId = this.users.get(event.feed);
      if (userId) socket.emit("sfu:talking", { callId: placement.callId, userId, talking: event.talking });
    });
  }

  get callId(): string {
    return this.placement.callId;
  }

  /** The tab's publisher offer; resolves with Janus's answer. */
  async publish(offer: SessionDescription): Promise<SessionDescription> {
    const reply = await this.publisher.configure({ audio: true, video: true, jsep: offer as Jsep });
    if (!reply.jsep) throw new Error("Janus answered a publish without SDP");
    return reply.jsep;
  }

  /** The tab's answer to the last sfu:offer. */
  async answer(description: SessionDescription): Promise<void> {
    if (!this.subscriber) throw new Error("no subscription to answer");
    await this.subscriber.start({ jsep: description as Jsep });
    this.answered?.();
  }

  /** One ICE candidate (null: gathering completed) of the publisher or the subscriber connection. */
  async trickle(target: "publisher" | "subscriber", candidate: RTCIceCandidateLike | null): Promise<void> {
    const handle = target === "publisher" ? this.publisher : this.subscriber;
    if (!handle) return; // a candidate of a subscription that is being replaced
    if (candidate) await handle.trickle({ ...candidate, sdpMid: candidate.sdpMid ?? null });
    else await handle.trickleComplete();
  }

  /** Queues a re-read of the room; renegotiations never overlap. */
  refresh(): void {
    this.chain = this.chain
      .then(() => this.follow())
      .catch((error: unknown) => {
        if (!this.closed) this.logger.warn({ err: error, callId: this.callId }, "sfu subscription failed");
      });
  }

  private async follow(): Promise<void> {
    if (this.closed) return;
    const { room, secret, pin } = this.placement;
    const { participants } = await this.node.admin().listParticipants({ room, secret });
    for (const one of participants) if (one.display) this.users.set(one.feed, one.display);
    const feeds = participants
      .filter((one) => one.publisher && one.display && one.display !== this.userId)
      .map((one) => one.feed);
    const add = feeds.filter((feed) => !this.subscribed.has(feed));
    const drop = [...this.subscribed].filter((feed) => !feeds.includes(feed));
    if (add.length === 0 && drop.length === 0) return;
    let reply: { jsep?: Jsep; streams?: SubscriberStream[] };
    if (!this.subscriber) {
      if (add.length === 0) return;
      this.subscriber = await this.node.attach();
      reply = await this.subscriber.joinSubscriber({
        room,
        pin,
        streams: add.map((feed) => ({ feed })),
        use_msid: true,
      });
    } else {
      reply = await this.subscriber.update({
        subscribe: add.map((feed) => ({ feed })),
        unsubscribe: drop.map((feed) => ({ feed })),
      });
    }
    for (const feed of add) this.subscribed.add(feed);
    for (const feed of drop) this.subscribed.delete(feed);
    if (this.closed || !reply.jsep) return;
    const answered = new Promise<void>((resolve) => {
      this.answered = resolve;
      setTimeout(resolve, ANSWER_WAIT_MS).unref();
    });
    this.socket.emit("sfu:offer", {
      callId: this.callId,
      description: reply.jsep,
      streams: streamsOf(reply.streams),
    });
    await answered;
  }

  /** Leaves the VideoRoom at once: detaching the handles takes the feed out for everyone. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.answered?.();
    await Promise.all(
      [this.publisher, this.subscriber].map((handle) => handle?.detach().catch(() => undefined)),
    );
  }
}

/** RTCIceCandidateInit's fields as the protocol carries them. */
export interface RTCIceCandidateLike {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}
