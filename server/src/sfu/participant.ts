// One tab's place in a call's VideoRoom, held by the instance its socket is on: a publisher handle
// (its own media) and a multistream subscriber handle (everyone else's). The subscription follows the
// room's publishers: the join's list and Janus's "publishers", "unpublished" and "leaving" events,
// plus a re-read of the room (with its secret) whenever any publisher's media comes up on any
// instance (a second path, should an event be missed). New feeds are subscribed to, one renegotiation
// at a time, each answered by the tab; Janus re-offers by itself ("updated") when a subscribed feed goes.
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

/** What a publisher's screen-share stream is described as (sfu:publish's screenMid). */
export const SCREEN_DESCRIPTION = "screen";

/** Janus's subscription m-lines as the client needs them: whose media each carries, and which are screens. */
export function streamsOf(streams: readonly SubscriberStream[] | undefined): SfuStream[] {
  return (streams ?? [])
    .filter((stream) => stream.type !== "data" && stream.active !== false && stream.feed_display)
    .map((stream) => ({
      mid: stream.mid,
      userId: stream.feed_display!,
      kind: stream.type as "audio" | "video",
      ...(stream.feed_description === SCREEN_DESCRIPTION && { screen: true as const }),
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
  /** Per feed, the mids of its streams Janus announced enabled (a screen share adds one later). */
  private readonly published = new Map<string, Set<string>>();
  /** Per feed subscribed to, the publisher's mids the subscription holds. */
  private readonly subscribedMids = new Map<string, Set<string>>();
  private chain: Promise<void> = Promise.resolve();
  /** The subscription's streams as Janus last listed them (an ICE restart's offer may not list them). */
  private streams: SubscriberStream[] = [];
  /** Renegotiations waiting for the tab's answer (one answer settles every offer before it). */
  private readonly waiting = new Set<() => void>();
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
    publisher.on(VideoRoomPlugin.EVENT.VIDEOROOM_PUB_LIST, (event: { publishers: Publisher[] }) =>
      this.announced(event.publishers),
    );
    // Janus takes a gone feed's streams out of the subscription by itself and re-offers it ("updated"):
    // no unsubscribe of our own (Janus would refuse one for a feed it no longer has).
    const gone = (event: { feed: string }) => {
      this.publishers.delete(event.feed);
      this.subscribed.delete(event.feed);
      this.published.delete(event.feed);
      this.subscribedMids.delete(event.feed);
      this.refresh();
    };
    publisher.on(VideoRoomPlugin.EVENT.VIDEOROOM_UNPUBLISHED, gone);
    publisher.on(VideoRoomPlugin.EVENT.VIDEOROOM_LEAVING, gone);
    publisher.on(VideoRoomPlugin.EVENT.VIDEOROOM_KICKED, (event: { feed: string }) =>
      event.feed === this.feed ? void this.close() : gone(event),
    );
    publisher.on(VideoRoomPlugin.EVENT.VIDEOROOM_TALKING, (event: { feed: string; talking: boolean }) => {
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
      if (!one.display || one.display === this.userId) continue;
      this.publishers.set(one.feed, one.display);
      if (!one.streams) continue;
      const enabled = one.streams.filter((s) => s.type !== "data" && !s.disabled).map((s) => s.mid);
      this.published.set(one.feed, new Set(enabled));
      // A stream the publisher turned off (a share that ended) is subscribed afresh when it comes back.
      const held = this.subscribedMids.get(one.feed);
      for (const mid of held ?? []) if (!enabled.includes(mid)) held!.delete(mid);
    }
    this.refresh();
  }

  get callId(): string {
    return this.placement.callId;
  }

  /**
   * The tab's publisher offer (the first, or a renegotiation: an ICE restart, a screen share started or
   * stopped); `screenMid` is the m-line of its screen share. Resolves with Janus's answer.
   */
  async publish(offer: SessionDescription, screenMid?: string): Promise<SessionDescription> {
    const descriptions = screenMid ? [{ mid: screenMid, description: SCREEN_DESCRIPTION }] : undefined;
    const reply = await this.publisher.configure({
      audio: true,
      video: true,
      jsep: offer as Jsep,
      ...(descriptions && { descriptions }),
    });
    if (!reply.jsep) throw new Error("Janus answered a publish without SDP");
    return reply.jsep;
  }

  /** The tab's answer to the last sfu:offer. */
  async answer(description: SessionDescription): Promise<void> {
    if (!this.subscriber) throw new Error("no subscription to answer");
    await this.subscriber.start({ jsep: description as Jsep });
    this.settle();
  }

  /** One ICE candidate (null: gathering completed) of the publisher or the subscriber connection. */
  async trickle(target: "publisher" | "subscriber", candidate: RTCIceCandidateLike | null): Promise<void> {
    const handle = target === "publisher" ? this.publisher : this.subscriber;
    if (!handle) return; // a candidate of a subscription that is being replaced
    if (candidate) await handle.trickle({ ...candidate, sdpMid: candidate.sdpMid ?? null });
    else await handle.trickleComplete();
  }

  /**
   * Asks Janus to re-offer the subscription with fresh ICE credentials (an ICE restart of the tab's
   * subscriber connection), after any renegotiation under way; nothing while there is none yet.
   */
  restartIce(): void {
    this.chain = this.chain
      .then(async () => {
        if (this.closed || !this.subscriber) return;
        await this.offer((await this.subscriber.configure({ restart: true })) as OfferReply);
      })
      .catch((error: unknown) => {
        if (!this.closed) this.logger.warn({ err: error, callId: this.callId }, "sfu ICE restart failed");
      });
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
    // Streams a subscribed publisher added since (a screen share): subscribed one by one.
    const more = [...this.subscribed]
      .filter((feed) => feeds.includes(feed) && this.subscribedMids.has(feed))
      .flatMap((feed) =>
        [...(this.published.get(feed) ?? [])]
          .filter((mid) => !this.subscribedMids.get(feed)?.has(mid))
          .map((mid) => ({ feed, mid })),
      );
    if (add.length === 0 && drop.length === 0 && more.length === 0) return;
    let reply: OfferReply;
    if (!this.subscriber) {
      if (add.length === 0) return;
      this.subscriber = await this.node.attach();
      // An update sent while Janus still waited for an answer comes back "updating", without SDP; Janus
      // offers it later as an event of its own.
      this.subscriber.on(VideoRoomPlugin.EVENT.VIDEOROOM_UPDATED, (event: OfferReply) => {
        this.holding(event.streams);
        void this.offer(event);
      });
      reply = await this.subscriber.joinSubscriber({
        room,
        pin,
        streams: add.map((feed) => ({ feed })),
        use_msid: true,
      });
    } else {
      // Janus refuses an empty list ("430 Empty unsubscription list"): send only the ones with feeds.
      const subscribe = [...add.map((feed) => ({ feed })), ...more];
      reply = await this.subscriber.update({
        ...(subscribe.length > 0 && { subscribe }),
        ...(drop.length > 0 && { unsubscribe: drop.map((feed) => ({ feed })) }),
      });
    }
    for (const feed of add) this.subscribed.add(feed);
    for (const feed of drop) this.subscribed.delete(feed);
    for (const { feed, mid } of more) this.subscribedMids.get(feed)?.add(mid);
    this.holding(reply.streams);
    await this.offer(reply);
  }

  /** Records which publisher mids the subscription holds, from Janus's list of its streams. */
  private holding(streams: readonly SubscriberStream[] | undefined): void {
    if (!streams) return;
    for (const stream of streams) {
      if (!stream.feed_id || !stream.feed_mid || stream.active === false) continue;
      const held = this.subscribedMids.get(stream.feed_id) ?? new Set<string>();
      held.add(stream.feed_mid);
      this.subscribedMids.set(stream.feed_id, held);
    }
  }

  /** Sends the tab a subscription offer; resolves once it answered (or ANSWER_WAIT_MS passed). */
  private offer(reply: OfferReply): Promise<void> {
    if (this.closed || !reply.jsep) return Promise.resolve();
    if (reply.streams) this.streams = reply.streams;
    const answered = new Promise<void>((resolve) => {
      this.waiting.add(resolve);
      setTimeout(resolve, ANSWER_WAIT_MS).unref();
    });
    this.socket.emit("sfu:offer", {
      callId: this.callId,
      description: reply.jsep,
      streams: streamsOf(this.streams),
    });
    return answered;
  }

  private settle(): void {
    for (const resolve of this.waiting) resolve();
    this.waiting.clear();
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
    this.settle();
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
