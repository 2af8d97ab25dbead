// Group calls through Janus VideoRoom (docs/sfu.md). Every instance keeps the nodes' heartbeats and
// load figures in the Store, places a new call on the least loaded live node, re-homes the calls of a
// node whose heartbeat lapsed, and holds the VideoRoom handles of its own sockets. The rooms' secrets
// and pins stay in the Store and in this process: no payload to a client carries them.
import { randomBytes } from "node:crypto";
import Janode from "janode";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import { roomChannel } from "../realtime/channels.js";
import type { AppServer, AppSocket } from "../realtime/sockets.js";
import type { SfuPlacement, SfuStore } from "../state/sfu/contract.js";
import { JanusNode } from "./nodes.js";
import { SfuParticipant } from "./participant.js";

/** How often each instance beats every node it reaches, and sweeps for dead ones (ms). */
export const NODE_HEARTBEAT_MS = 1_000;
/** A node without a heartbeat for this long is dead and its calls move (ms). */
export const NODE_TTL_MS = 3_000;

/** Janus's "room already exists" (VideoRoom error 427): another instance created it first. */
const ROOM_EXISTS = 427;

export interface SfuOptions {
  urls: string[];
  apiSecret: string;
  store: SfuStore;
  io: AppServer;
  logger: Logger;
  clock: () => number;
  /** True with other instances to tell (the Redis Store): they hold their own sockets' handles. */
  cluster: boolean;
  /** Most publishers per VideoRoom: the call's cap (GROUP_CALL_MAX). */
  maxPublishers: number;
  /** Counts re-homed calls. */
  metrics?: Metrics;
}

const secret = () => randomBytes(18).toString("base64url");

export class Sfu {
  private readonly nodes = new Map<string, JanusNode>();
  /** This instance's sockets in VideoRooms, by socket id. */
  private readonly local = new Map<string, SfuParticipant>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: SfuOptions) {
    for (const url of options.urls)
      this.nodes.set(url, new JanusNode(url, options.apiSecret, options.logger, (node) => this.lost(node)));
    options.io.on("sfu:published", ({ callId, userId }) => this.published(callId, userId));
  }

  /** This instance's sockets in VideoRooms now. */
  get participants(): number {
    return this.local.size;
  }

  /** `userId`'s media in call `callId` came up: this instance's participants of it re-read the room. */
  private published(callId: string, userId: string): void {
    for (const held of this.local.values()) if (held.callId === callId) held.reread(userId);
  }

  /** Beats every node now (so calls can be placed at once), then every NODE_HEARTBEAT_MS. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), NODE_HEARTBEAT_MS);
    this.timer.unref();
  }

  /** One heartbeat round: every reachable node's load into the Store, then dead nodes' calls re-homed. */
  async beat(): Promise<void> {
    const { store, clock, logger } = this.options;
    await Promise.all(
      [...this.nodes.values()].map(async (node) => {
        try {
          if (!(await node.connect())) return;
          await store.beatSfuNode(node.url, await node.load(), clock() + NODE_TTL_MS);
        } catch (error) {
          logger.warn({ err: error, node: node.url }, "janus heartbeat failed");
        }
      }),
    );
    await this.rehomeDead().catch((error: unknown) => logger.warn({ err: error }, "sfu re-homing failed"));
  }

  /** The least loaded live node this instance reaches, or null. */
  private async pickNode(): Promise<JanusNode | null> {
    const live = await this.options.store.liveSfuNodes(this.options.clock());
    const reachable = live.filter((node) => this.nodes.get(node.url)?.up);
    reachable.sort((a, b) => a.load - b.load || a.url.localeCompare(b.url));
    return reachable[0] ? this.nodes.get(reachable[0].url)! : null;
  }

  private fresh(callId: string, chatRoom: string, node: JanusNode, epoch: number): SfuPlacement {
    const room = `${callId}.${epoch}`;
    return { callId, chatRoom, node: node.url, room, secret: secret(), pin: secret(), epoch };
  }

  /** The call's placement, placing it on the least loaded live node first; creates its VideoRoom. */
  async placementFor(callId: string, chatRoom: string): Promise<SfuPlacement | null> {
    const { store } = this.options;
    let placement = await store.sfuPlacementOf(callId);
    if (!placement) {
      const node = await this.pickNode();
      if (!node) return null;
      placement = await store.placeSfuCall(this.fresh(callId, chatRoom, node, 0));
    }
    await this.ensureRoom(placement);
    return placement;
  }

  private async ensureRoom(placement: SfuPlacement): Promise<void> {
    const node = this.nodes.get(placement.node);
    if (!node || !(await node.connect())) throw new Error(`Janus node ${placement.node} is unreachable`);
    await node
      .admin()
      .create({
        room: placement.room,
        description: `call ${placement.callId}`,
        is_private: true,
        secret: placement.secret,
        pin: placement.pin,
        admin_key: this.options.apiSecret,
        max_publishers: this.options.maxPublishers,
        audiocodec: "opus",
        videocodec: "vp8",
        // Janus's talking events drive the speaker highlight: a voice louder than -25 dBov on average
        // over 50 packets (about a second; Janus's default waits two).
        talking_events: true,
        talking_level_threshold: 25,
        talking_packets_threshold: 50,
        notify_joining: false,
      })
      .catch((error: { _code?: number }) => {
        if (error._code !== ROOM_EXISTS) throw error;
      });
  }

  /** Puts `socket`'s tab into the call's VideoRoom (replacing an earlier place of the same socket). */
  async join(socket: AppSocket, callId: string, chatRoom: string): Promise<boolean> {
    const placement = await this.placementFor(callId, chatRoom);
    if (!placement) return false;
    await this.leaveSocket(socket.id);
    const node = this.nodes.get(placement.node)!;
    const publisher = await node.attach();
    const userId = socket.data.userId;
    const joined = await publisher.joinPublisher({
      room: placement.room,
      pin: placement.pin,
      display: userId,
    });
    const { logger } = this.options;
    const participant = new SfuParticipant(
      socket,
      userId,
      placement,
      node,
      publisher,
      logger,
      joined.publishers,
    );
    this.local.set(socket.id, participant);
    publisher.once(Janode.EVENT.HANDLE_WEBRTCUP, () => {
      this.published(callId, userId);
      if (this.options.cluster) this.options.io.serverSideEmit("sfu:published", { callId, userId });
    });
    return true;
  }

  /** The socket's place in call `callId`, if it holds one on this instance. */
  participant(socketId: string, callId: string): SfuParticipant | null {
    const held = this.local.get(socketId);
    return held && !held.closed && held.callId === callId ? held : null;
  }

  /** The socket left (or disconnected): its handles go, and with them its feed. */
  async leaveSocket(socketId: string): Promise<void> {
    const held = this.local.get(socketId);
    this.local.delete(socketId);
    await held?.close();
  }

  /**
   * After anyone left call `callId`: kicks from its VideoRoom every feed whose user is not among
   * `participants` (a leaver whose tab is on another instance, or gone); with null (the call ended)
   * destroys the room and forgets the placement.
   */
  async prune(callId: string, participants: readonly string[] | null): Promise<void> {
    const { store } = this.options;
    const placement = participants ? await store.sfuPlacementOf(callId) : await store.dropSfuCall(callId);
    if (!placement) return;
    for (const [socketId, held] of this.local) {
      if (held.callId === callId && !participants?.includes(held.userId)) await this.leaveSocket(socketId);
    }
    const node = this.nodes.get(placement.node);
    if (!node?.up) return;
    const { room, secret: roomSecret } = placement;
    if (!participants) {
      await node
        .admin()
        .destroy({ room, secret: roomSecret })
        .catch(() => undefined);
      return;
    }
    const { participants: inRoom } = await node.admin().listParticipants({ room, secret: roomSecret });
    for (const feed of inRoom) {
      if (!feed.display || participants.includes(feed.display)) continue;
      await node
        .admin()
        .kick({ room, feed: feed.feed, secret: roomSecret })
        .catch(() => undefined);
    }
  }

  /** Moves every call of a node whose heartbeat lapsed to a live one, once, and tells its room. */
  private async rehomeDead(): Promise<void> {
    const { store, clock, io } = this.options;
    for (const url of await store.deadSfuNodes(clock())) {
      for (const callId of await store.sfuCallsOn(url)) {
        const old = await store.sfuPlacementOf(callId);
        const target = await this.pickNode();
        if (!old || !target) continue;
        const next = this.fresh(callId, old.chatRoom, target, old.epoch + 1);
        const held = await store.rehomeSfuCall(callId, url, next);
        // Another sweep (this instance's overlapping beat, or another instance) moved it first. Its room
        // has the same name (the epoch's), so the fresh secret tells whose move holds: only one tells.
        if (held?.secret !== next.secret) continue;
        await this.ensureRoom(held);
        this.options.logger.info({ callId, from: url, to: held.node }, "sfu call re-homed");
        this.options.metrics?.sfuRehomed();
        io.to(roomChannel(held.chatRoom)).emit("sfu:moved", { callId });
      }
    }
  }

  /** A node's session ended: the handles of this instance's participants on it are gone. */
  private lost(node: JanusNode): void {
    for (const [socketId, held] of this.local) if (held.node === node) void this.leaveSocket(socketId);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.local.keys()].map((socketId) => this.leaveSocket(socketId)));
    await Promise.all([...this.nodes.values()].map((node) => node.close()));
  }
}

/** The SFU service when the deployment has Janus nodes (JANUS_URLS), else undefined (mesh group calls). */
export function createSfu(
  config: Config,
  parts: Pick<SfuOptions, "store" | "io" | "logger" | "cluster" | "metrics">,
): Sfu | undefined {
  if (config.janus.urls.length === 0) return undefined;
  return new Sfu({
    ...parts,
    urls: config.janus.urls,
    apiSecret: config.janus.apiSecret,
    clock: Date.now,
    maxPublishers: config.groupCallMax,
  });
}
