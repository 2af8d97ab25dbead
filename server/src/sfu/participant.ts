// One tab's place in a call's VideoRoom, held by the instance its socket is on: a publisher handle
// (its own media) and a multistream subscriber handle (everyone else's). The subscription follows the
// room's publishers: the join's list and Janus's "publishers", "unpublished" and "leaving" events,
// plus a re-read of the room (with its secret) whenever any publisher's media comes up on any
// instance (Janus 1.1.2 was seen not to announce new publishers to those already in the room). New
// feeds are subscribed to and gone ones dropped, one renegotiation at a time, each answered by the tab.
import type { Jsep } from "janode";
import VideoRoomPlugin, {
  type Publisher,
  type SubscriberStream,
  type VideoRoomHandle,
} from "janode/plugins/videoroom";
import type { Logger } from "../logger.js";
import type { SessionDescription, SfuStream } from "@videochat/protocol";
import type { AppSocket } from "../realtime/sockets.js";
import type { SfuPlacement } from "../state/sfu/contract.js";
import type { JanusNode } from "./nodes.js";

/** How long a renegotiation waits for the tab's answer before the next one goes ahead (ms). */
const ANSWER_WAIT_MS = 30_000;
/** Re-reads of the room while a publisher whose media came up is not listed yet, and their spacing (ms). */
const REREAD_TRIES = 20;
const REREAD_MS = 250;

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

/** What Janus answers a subscription (or sends on its own): an offer, and whose media each m-line holds. */
type OfferReply = { jsep?: Jsep; streams?: SubscriberStream[] };

export class SfuParticipant {
  private subscriber: VideoRoomHandle | null = null;
  /** Feeds subscribed to now. */
  private readonly subscribed = new Set<string>();
  /** The room's other publishers as Janus announced them: feed id -> user id. */
  private readonly publishers = new Map<string, string>();
  private chain: Promise<void> = Promise.resolve();
  private answered: (() => void) | null = null;
  /** Set when the room must be re-read before the next renegotiation. */
  private stale = false;
  /** Users whose media came up but whom the room did not list as publishing yet: re-read, a few times. */
  private readonly awaited = new Map<string, number>();
  closed = false;

  constructor(
    readonly socket: AppSocket,
    readonly userId: string,
    readonly placement: SfuPlacement,
    readonly node: JanusNode,
    readonly publisher: VideoRoomHandle,
    private readonly logger: Logger,
    /** Who already published when this tab joined. */
    initial: readonly Publisher[],
  ) {
    this.announced(initial);
    publisher.on(VideoRoomPlugin.EVENT.PUB_LIST, (event: { publishers: Publisher[] }) =>
      this.announced(event.publishers),
    );
    const gone = (event: { feed: string }) => {
      this.publishers.delete(event.feed);
      this.refresh();
    };
    publisher.on(VideoRoomPlugin.EVENT.UNPUBLISHED, gone);
    publisher.on(VideoRoomPlugin.EVENT.LEAVING, gone);
    publisher.on(VideoRoomPlugin.EVENT.KICKED, (event: { feed: string }) =>
      event.feed === this.feed ? void this.close() : gone(event),
    );
    publisher.on(VideoRoomPlugin.EVENT.TALKING, (event: { feed: string; talking: boolean }) => {
      const userId = this.publishers.get(event.feed);
      if (userId) socket.emit("sfu:talking", { callId: placement.callId, userId, talking: event.talking });
    });
  }

  /** This tab's own feed id in the VideoRoom. */
  get feed(): string | undefined {
    return (this.publisher as unknown as { feed?: string }).feed;
  }

  private announced(list: readonly Publisher[]): void {
    for (const one of list) {
      if (one.display && one.display !== this.userId) this.publishers.set(one.feed, one.display);
    }
    this.refresh();
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

  /**
   * `userId`'s media came up in the room: re-reads who publishes, then follows it. Janus sends the
   * webrtcup before its VideoRoom lists the feed as publishing, so a read that misses the user is
   * tried again a little later (REREAD_TRIES times, REREAD_MS apart).
   */
  reread(userId?: string): void {
    if (userId && userId !== this.userId) this.awaited.set(userId, this.awaited.get(userId) ?? 0);
    this.stale = true;
    this.refresh();
  }

  /** Queues a renegotiation to the publishers known now; renegotiations never overlap. */
  refresh(): void {
    this.chain = this.chain
      .then(() => this.follow())
      .catch((error: unknown) => {
        if (!this.closed) this.logger.warn({ err: error, callId: this.callId }, "sfu subscription failed");
      });
  }

  private async follow(): Promise<void> {
    if (this.closed) return;
    const { room, pin, secret } = this.placement;
    if (this.stale) {
      this.stale = false;
      const { participants } = await this.node.admin().listParticipants({ room, secret });
      this.publishers.clear();
      for (const one of participants)
        if (one.publisher && one.display && one.display !== this.userId)
          this.publishers.set(one.feed, one.display);
      this.retryMissing();
    }
    const feeds = [...this.publishers.keys()];
    const add = feeds.filter((feed) => !this.subscribed.has(feed));
    const drop = [...this.subscribed].filter((feed) => !feeds.includes(feed));
    if (add.length === 0 && drop.length === 0) return;
    let reply: OfferReply;
    if (!this.subscriber) {
      if (add.length === 0) return;
      this.subscriber = await this.node.attach();
      // An update sent while Janus still waited for an answer comes back "updating", without SDP; Janus
      // offers it later as an event of its own.
      this.subscriber.on(VideoRoomPlugin.EVENT.UPDATED, (event: OfferReply) => void this.offer(event));
      reply = await this.subscriber.joinSubscriber({
        room,
        pin,
        streams: add.map((feed) => ({ feed })),
        use_msid: true,
      });
    } else {
      // Janus refuses an empty list ("430 Empty unsubscription list"): send only the ones with feeds.
      reply = await this.subscriber.update({
        ...(add.length > 0 && { subscribe: add.map((feed) => ({ feed })) }),
        ...(drop.length > 0 && { unsubscribe: drop.map((feed) => ({ feed })) }),
      });
    }
    for (const feed of add) this.subscribed.add(feed);
    for (const feed of drop) this.subscribed.delete(feed);
    await this.offer(reply);
  }

  /** Sends the tab a subscription offer; resolves once it answered (or ANSWER_WAIT_MS passed). */
  private offer(reply: OfferReply): Promise<void> {
    if (this.closed || !reply.jsep) return Promise.resolve();
    const answered = new Promise<void>((resolve) => {
      this.answered = resolve;
      setTimeout(resolve, ANSWER_WAIT_MS).unref();
    });
    this.socket.emit("sfu:offer", {
      callId: this.callId,
      description: reply.jsep,
      streams: streamsOf(reply.streams),
    });
    return answered;
  }

  private retryMissing(): void {
    const listed = new Set(this.publishers.values());
    for (const [userId, tries] of this.awaited) {
      if (listed.has(userId) || tries >= REREAD_TRIES) this.awaited.delete(userId);
      else this.awaited.set(userId, tries + 1);
    }
    if (this.awaited.size > 0) setTimeout(() => !this.closed && this.reread(), REREAD_MS).unref();
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
