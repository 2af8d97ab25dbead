// The Store's SFU part: the Janus nodes as cluster state (a heartbeat and a load figure each) and where
// each group call's media runs (its node, VideoRoom, secret and pin). Every instance reads and writes
// it; nothing of it lives only in one process, so any instance can place, re-home or end a call.

/** One Janus node as the cluster last saw it. */
export interface SfuNode {
  /** The node's WebSocket API URL, as JANUS_URLS lists it: its identity. */
  url: string;
  /** Participants in the node's VideoRooms at the last heartbeat (the placement's load figure). */
  load: number;
  /** Epoch ms after which the node counts as dead unless a heartbeat comes first (a deadline as data). */
  aliveUntil: number;
}

/** Where one group call's media runs. `secret` and `pin` never leave the servers. */
export interface SfuPlacement {
  callId: string;
  /** The chat room the call belongs to: whom a move is told. */
  chatRoom: string;
  /** The Janus node's URL. */
  node: string;
  /** The VideoRoom's id on that node (string ids). */
  room: string;
  /** The VideoRoom's secret (needed to destroy it, kick participants) and pin (needed to join). */
  secret: string;
  pin: string;
  /** Bumped at each re-homing, so clients can tell a move from a repeat. */
  epoch: number;
}

export interface SfuStore {
  /** Records a heartbeat of node `url`: alive until `aliveUntil` (epoch ms), with `load` participants. */
  beatSfuNode(url: string, load: number, aliveUntil: number): Promise<void>;

  /** Every node whose heartbeat is still due after `now`. */
  liveSfuNodes(now: number): Promise<SfuNode[]>;

  /** Every node whose heartbeat lapsed at `now` and that still holds calls. */
  deadSfuNodes(now: number): Promise<string[]>;

  /**
   * Places call `candidate.callId` at `candidate` unless it is already placed: answers the placement
   * that holds (the first caller's, for racing callers across instances). Atomic.
   */
  placeSfuCall(candidate: SfuPlacement): Promise<SfuPlacement>;

  /** The call's placement, or null when it has none (a mesh call, or ended). */
  sfuPlacementOf(callId: string): Promise<SfuPlacement | null>;

  /**
   * Moves a call to `next` only while it is still on node `from` (a compare-and-set, so two instances
   * noticing the same death move it once); answers the placement that holds afterwards, or null when
   * the call has none.
   */
  rehomeSfuCall(callId: string, from: string, next: SfuPlacement): Promise<SfuPlacement | null>;

  /** The calls placed on node `url`. */
  sfuCallsOn(url: string): Promise<string[]>;

  /** Forgets the call's placement (the call ended); answers what it was, or null. */
  dropSfuCall(callId: string): Promise<SfuPlacement | null>;

  close(): Promise<void>;
}
