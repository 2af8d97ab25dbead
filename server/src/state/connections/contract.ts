// The Store's connections (tabs) of sessions and the instance runs that hold them: attaching,
// detaching, idleness, the grace period of a session without tabs, heartbeats and the takeover of a
// dead run's tabs.
import type { PresenceStatus } from "@videochat/protocol";
import { methodsOf } from "../methods.js";
import type { MembershipChange, PresenceResult, RoomView, Session, StepCharge } from "../types.js";

/**
 * What a live socket knows of its session, enough to rebuild it when the Store lost it (Redis
 * restarted empty, or the session was reaped while this instance was frozen).
 */
export interface SessionSnapshot {
  id: string;
  name: string;
  nameKey: string;
  tokenDigest: string;
  room: string;
  roomSeq: number;
  /** The status the user chose (Session.chosen). */
  status: PresenceStatus;
}

/** Why a connection could not attach: its session is gone, or it already has the most tabs allowed. */
export type AttachRefusal = "session_unknown" | "too_many_connections";

export interface AttachResult {
  ok: true;
  session: Session;
  /** True when the session already had a live or grace-period presence (reload, reconnect). */
  resumed: boolean;
  /** Set when this attach made the user enter their room for the first time. */
  entered?: MembershipChange;
  /** Set when a new, active tab turned an automatically absent member back to online. */
  updated?: MembershipChange;
}

/** What `connect` answers: the attach and the session's room read in the same step, or the refusal. */
export type ConnectResult =
  | (AttachResult & { view: RoomView })
  | { ok: false; code: "session_unknown" }
  | { ok: false; code: "too_many_connections"; userId: string }
  | { ok: false; code: "flooding" | "rate_limited"; userId: string; retryAfterMs: number };

/** The first heartbeat of an instance run also takes over what earlier runs of the same id left. */
export interface HeartbeatResult {
  /** True when this run was not in the registry: new, or declared dead meanwhile. */
  added: boolean;
  /** Earlier runs (incarnations) of the same instance id that this heartbeat took over. */
  predecessors: string[];
  /** Members whose status changed because the takeover dropped their tabs (see TakeOverResult). */
  changes: MembershipChange[];
}

/** Dead instance runs taken over, and the member status changes that dropping their tabs caused. */
export interface TakeOverResult {
  instances: string[];
  /**
   * A session that keeps other tabs shows "absent" when every remaining one is idle (and back): the
   * rooms must be told, like after any detach.
   */
  changes: MembershipChange[];
}

/** The registry key of one run of an instance; `#` cannot occur in an INSTANCE_ID. */
export const instanceKey = (instanceId: string, incarnation: string) => `${instanceId}#${incarnation}`;

export interface ConnectionsStore {
  /**
   * A new connection's whole join in one step (one round trip on Redis): resolves the handshake
   * `token` to its session, attaches `connectionId` like `attachConnection`, and reads the session's
   * room as it is right after (RoomView). `session_unknown` when the token resolves to no session.
   * With `attach` (the session-attach budget and the time, epoch ms), the session's hold-off (see
   * `holdOff`) and budget are checked first, in the same step: `flooding` while held off,
   * `rate_limited` once the budget's window is spent (each try counts), both with `retryAfterMs`
   * and nothing attached.
   */
  connect(
    token: string,
    connectionId: string,
    maxConnections: number,
    attach?: StepCharge,
  ): Promise<ConnectResult>;

  /**
   * Keeps session `userId` from connecting a tab (`connect` with `attach`) on any instance until `until`
   * (epoch ms, the caller's clock): a flooder cut off. Nothing happens when the session is gone.
   */
  holdOff(userId: string, until: number): Promise<void>;

  /**
   * A connection of this session opened: it leaves the grace period and enters its room if new.
   * Connection ids are "<instance key>/<socketId>" (see `instanceKey`), so a dead instance's
   * connections can be found. Refused when the session is gone or already has `maxConnections`.
   */
  attachConnection(
    userId: string,
    connectionId: string,
    maxConnections: number,
  ): Promise<AttachResult | { ok: false; code: AttachRefusal }>;

  /**
   * Attaches like `attachConnection`, first rebuilding the session from `snapshot` if the Store lost
   * it: the name is claimed again (refused with name_taken when someone else holds it meanwhile),
   * the token resolves again, and the user re-enters the room with the snapshot's status.
   */
  restoreSession(
    snapshot: SessionSnapshot,
    connectionId: string,
    maxConnections: number,
  ): Promise<AttachResult | { ok: false; code: AttachRefusal | "name_taken" }>;

  /** A connection closed; with none left, the session enters its grace period until `graceDeadline`. */
  detachConnection(
    userId: string,
    connectionId: string,
    graceDeadline: number,
  ): Promise<{ changed?: MembershipChange }>;

  /**
   * A session in its grace period (no connection, e.g. claimed but not attached yet) gets `graceDeadline`
   * instead of its deadline. False when it has a connection or is gone (its grace ended and it was reaped).
   */
  renewGrace(userId: string, graceDeadline: number): Promise<boolean>;

  /**
   * One connection (tab) of the session became idle or hidden, or active again. The member's status
   * becomes "absent" when every connection is idle and the user chose "online", and back again.
   * Null when the session or the connection is unknown. With `charge`, first charges the user's
   * presence budget (shared with setStatus): once spent, nothing changes and the result carries
   * `retryAfterMs`.
   */
  setConnectionIdle(
    userId: string,
    connectionId: string,
    idle: boolean,
    charge?: StepCharge,
  ): Promise<PresenceResult | null>;

  /**
   * Marks an instance run alive at `now` (epoch ms). `instanceKey` is "<instance id>#<incarnation>",
   * new at every process start: when a run registers, every other run of the same instance id still
   * in the registry is taken over as dead at once (a restarted process never inherits its
   * predecessor's connections), its sessions getting `graceMs` from that run's last heartbeat.
   */
  heartbeat(instanceKey: string, now: number, graceMs: number): Promise<HeartbeatResult>;

  /**
   * Takes over every instance silent for longer than `ttlMs`: its connections are dropped, and
   * sessions left with none enter their grace period, counted from the instance's last heartbeat.
   * Each dead instance is returned to exactly one caller, with the status changes it caused.
   */
  takeOverDeadInstances(now: number, ttlMs: number, graceMs: number): Promise<TakeOverResult>;

  /**
   * A clean shutdown: the instance leaves the registry. Its connections should be detached already;
   * any still held (a detach that never landed, e.g. behind a stalled Redis) is dropped as in a
   * takeover, its session entering its grace period until `graceDeadline` (ms since the epoch) unless
   * it already has an earlier one, so a retired run never leaves a ghost connection. Returns the
   * status changes of sessions that keep tabs elsewhere.
   */
  retireInstance(instanceId: string, graceDeadline: number): Promise<MembershipChange[]>;
}

/** The names composeStore binds (the compiler keeps this list equal to ConnectionsStore's methods). */
export const connectionsMethods = methodsOf<ConnectionsStore>()([
  "connect",
  "holdOff",
  "attachConnection",
  "restoreSession",
  "detachConnection",
  "renewGrace",
  "setConnectionIdle",
  "heartbeat",
  "takeOverDeadInstances",
  "retireInstance",
]);
