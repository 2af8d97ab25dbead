// This instance's connections to the Janus nodes (janode over each node's WebSocket API): one Janus
// session per node, holding a control handle for room management and every local participant's
// handles. A node that drops is reconnected at the next heartbeat; meanwhile it gets no heartbeat
// from this instance, so once every instance loses it the Store's deadline names it dead.
import Janode, { type JanodeConnection, type JanodeSession } from "janode";
import VideoRoomPlugin, { type VideoRoomHandle } from "janode/plugins/videoroom";
import type { Logger } from "../logger.js";

// janode prints to stdout itself; what matters is logged through pino here.
Janode.Logger.setLevel("none");

/** Janus's keep-alive period for our sessions (s); its session_timeout must be longer (docs/sfu.md). */
const KEEPALIVE_S = 5;

/** One Janus node as this instance reaches it. */
export class JanusNode {
  private connection: JanodeConnection | null = null;
  private session: JanodeSession | null = null;
  private control: VideoRoomHandle | null = null;
  private connecting: Promise<boolean> | null = null;
  /** Bumped at each new session: handles of an older one are gone with it. */
  generation = 0;

  constructor(
    readonly url: string,
    private readonly apiSecret: string,
    private readonly logger: Logger,
    /** Called when the node's session ends (the node died or the connection dropped). */
    private readonly lost: (node: JanusNode) => void,
  ) {}

  get up(): boolean {
    return this.control !== null;
  }

  /** Connects when not connected; true once a session and a control handle exist. Never throws. */
  connect(): Promise<boolean> {
    if (this.up) return Promise.resolve(true);
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<boolean> {
    try {
      const connection = await Janode.connect({
        address: { url: this.url, apisecret: this.apiSecret },
        retry_time_secs: 1,
        max_retries: 1,
      });
      connection.on(Janode.EVENT.CONNECTION_ERROR, () => this.drop(connection));
      connection.on(Janode.EVENT.CONNECTION_CLOSED, () => this.drop(connection));
      const session = await connection.create(KEEPALIVE_S);
      session.on(Janode.EVENT.SESSION_DESTROYED, () => this.drop(connection));
      this.connection = connection;
      this.session = session;
      this.control = await session.attach(VideoRoomPlugin);
      this.generation += 1;
      return true;
    } catch (error) {
      this.logger.warn({ err: error, node: this.url }, "janus node unreachable");
      await this.connection?.close().catch(() => undefined);
      this.connection = this.session = this.control = null;
      return false;
    }
  }

  private drop(connection: JanodeConnection): void {
    if (this.connection !== connection) return;
    this.connection = this.session = this.control = null;
    this.logger.warn({ node: this.url }, "janus node connection lost");
    this.lost(this);
  }

  /** The control handle, for management requests; throws while the node is down. */
  admin(): VideoRoomHandle {
    if (!this.control) throw new Error(`Janus node ${this.url} is down`);
    return this.control;
  }

  /** A new VideoRoom handle for one participant's publisher or subscriber connection. */
  async attach(): Promise<VideoRoomHandle> {
    if (!this.session) throw new Error(`Janus node ${this.url} is down`);
    return this.session.attach(VideoRoomPlugin);
  }

  /** Participants in the node's VideoRooms: its load figure (private rooms are listed with the admin key). */
  async load(): Promise<number> {
    const { list } = await this.admin().list({ admin_key: this.apiSecret });
    return list.reduce((sum, room) => sum + room.num_participants, 0);
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = this.session = this.control = null;
    await connection?.close().catch(() => undefined);
  }
}
