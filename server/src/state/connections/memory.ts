// The memory Store's connections (tabs) of sessions and the instance runs that hold them, with the
// takeover of a dead run's tabs. Every method runs without awaiting, so each is atomic like the Redis
// scripts.
import { charge, effectiveStatus, toSession, type Budget, type SessionRecord } from "../memory-records.js";
import type { Immediate } from "../methods.js";
import type { MemoryRooms } from "../rooms/memory.js";
import type { MemorySessions } from "../sessions/memory.js";
import type { MembershipChange, PresenceResult, StepCharge } from "../types.js";
import type {
  AttachRefusal,
  AttachResult,
  ConnectionsStore,
  ConnectResult,
  HeartbeatResult,
  SessionSnapshot,
  TakeOverResult,
} from "./contract.js";

export class MemoryConnections implements Immediate<ConnectionsStore> {
  /** Instance runs by key, with their last heartbeat (epoch ms). */
  private readonly instances = new Map<string, number>();
  /** Per session: epoch ms until which it may not connect (holdOff). */
  private readonly holds = new Map<string, number>();
  /** Per session: its session-attach budget (connect), fixed windows as in Redis. */
  private readonly attachBudgets = new Map<string, Budget>();

  constructor(
    private readonly sessions: MemorySessions,
    private readonly rooms: MemoryRooms,
  ) {}

  connect(token: string, connectionId: string, maxConnections: number, attach?: StepCharge): ConnectResult {
    const record = this.sessions.byToken(token);
    if (!record) return { ok: false, code: "session_unknown" };
    if (attach) {
      const held = (this.holds.get(record.id) ?? 0) - attach.now;
      if (held > 0) return { ok: false, code: "flooding", userId: record.id, retryAfterMs: held };
      const waitMs = charge(this.attachBudgets, record.id, attach, attach.now);
      if (waitMs !== null)
        return { ok: false, code: "rate_limited", userId: record.id, retryAfterMs: waitMs };
    }
    const attached = this.attach(record, connectionId, maxConnections);
    if (!attached.ok) return { ok: false, code: "too_many_connections", userId: record.id };
    return { ...attached, view: this.rooms.view(record.room) };
  }

  holdOff(userId: string, until: number): void {
    if (this.sessions.record(userId)) this.holds.set(userId, until);
  }

  restoreSession(
    snapshot: SessionSnapshot,
    connectionId: string,
    maxConnections: number,
  ): AttachResult | { ok: false; code: AttachRefusal | "name_taken" } {
    const existing = this.sessions.record(snapshot.id);
    if (existing) return this.attach(existing, connectionId, maxConnections);
    const holder = this.sessions.nameHolder(snapshot.nameKey);
    if (holder !== undefined && holder !== snapshot.id) return { ok: false, code: "name_taken" };
    const { tokenDigest: digest, ...rest } = snapshot;
    const record: SessionRecord = {
      ...rest,
      chosen: snapshot.status,
      entered: false,
      tokenDigest: digest,
      connections: new Set(),
      idle: new Set(),
    };
    this.sessions.register(record);
    return this.attach(record, connectionId, maxConnections);
  }

  attachConnection(
    userId: string,
    connectionId: string,
    maxConnections: number,
  ): AttachResult | { ok: false; code: AttachRefusal } {
    const record = this.sessions.record(userId);
    if (!record) return { ok: false as const, code: "session_unknown" as const };
    return this.attach(record, connectionId, maxConnections);
  }

  /** Attaches a tab; the first one enters the session into its room. */
  attach(
    record: SessionRecord,
    connectionId: string,
    maxConnections: number,
  ): AttachResult | { ok: false; code: AttachRefusal } {
    if (!record.connections.has(connectionId) && record.connections.size >= maxConnections)
      return { ok: false, code: "too_many_connections" };
    const resumed = record.entered;
    record.connections.add(connectionId);
    record.graceDeadline = undefined;
    // A new tab is active: it may bring an automatically absent member back.
    const updated = record.entered ? this.sessions.refreshStatus(record) : undefined;
    let entered: MembershipChange | undefined;
    if (!record.entered) {
      record.entered = true;
      record.status = effectiveStatus(record);
      entered = this.rooms.addMember(record.room, record);
    }
    return { ok: true, session: toSession(record), resumed, entered, ...(updated ? { updated } : {}) };
  }

  renewGrace(userId: string, graceDeadline: number): boolean {
    const record = this.sessions.record(userId);
    if (!record || record.connections.size > 0 || record.graceDeadline === undefined) return false;
    record.graceDeadline = graceDeadline;
    return true;
  }

  detachConnection(
    userId: string,
    connectionId: string,
    graceDeadline: number,
  ): { changed?: MembershipChange } {
    const record = this.sessions.record(userId);
    if (!record) return {};
    record.connections.delete(connectionId);
    record.idle.delete(connectionId);
    if (record.connections.size === 0) {
      record.graceDeadline = graceDeadline;
      return {};
    }
    const changed = this.sessions.refreshStatus(record);
    return changed ? { changed } : {};
  }

  setConnectionIdle(
    userId: string,
    connectionId: string,
    idle: boolean,
    budget?: StepCharge,
  ): PresenceResult | null {
    const record = this.sessions.record(userId);
    if (!record?.connections.has(connectionId)) return null;
    const retryAfterMs = this.sessions.chargePresence(userId, budget);
    if (retryAfterMs !== null) return { session: toSession(record), retryAfterMs };
    if (idle) record.idle.add(connectionId);
    else record.idle.delete(connectionId);
    const changed = this.sessions.refreshStatus(record);
    return { session: toSession(record), ...(changed ? { changed } : {}) };
  }

  // One process is usually the whole deployment, but the registry keeps the Redis Store's semantics
  // (the contract suite runs both), so liveness code behaves the same on either.
  heartbeat(key: string, now: number, graceMs: number): HeartbeatResult {
    const added = !this.instances.has(key);
    this.instances.set(key, now);
    const predecessors: string[] = [];
    const changes: MembershipChange[] = [];
    if (added) {
      const id = key.split("#")[0];
      for (const [other, seen] of this.instances) {
        if (other === key || other.split("#")[0] !== id) continue;
        this.takeOver(other, seen + graceMs, changes);
        predecessors.push(other);
      }
    }
    return { added, predecessors, changes };
  }

  takeOverDeadInstances(now: number, ttlMs: number, graceMs: number): TakeOverResult {
    const dead = [...this.instances].filter(([, seen]) => seen < now - ttlMs);
    const changes: MembershipChange[] = [];
    for (const [key, seen] of dead) this.takeOver(key, seen + graceMs, changes);
    return { instances: dead.map(([key]) => key), changes };
  }

  retireInstance(key: string, graceDeadline: number): MembershipChange[] {
    const changes: MembershipChange[] = [];
    this.takeOver(key, graceDeadline, changes);
    return changes;
  }

  /**
   * Drops a dead run's connections; sessions left with none get `deadline` unless theirs is earlier,
   * the others get their status derived again from the tabs they keep (added to `changes`).
   */
  private takeOver(key: string, deadline: number, changes: MembershipChange[]): void {
    this.instances.delete(key);
    for (const record of this.sessions.records()) {
      const theirs = [...record.connections].filter((id) => instanceOf(id) === key);
      if (theirs.length === 0) continue;
      for (const id of theirs) {
        record.connections.delete(id);
        record.idle.delete(id);
      }
      if (record.connections.size === 0)
        record.graceDeadline = Math.min(record.graceDeadline ?? Infinity, deadline);
      else {
        const changed = this.sessions.refreshStatus(record);
        if (changed) changes.push(changed);
      }
    }
  }
}

/** Connection ids are "<instance key>/<socket id>"; ids without a slash belong to no instance. */
const instanceOf = (connectionId: string) => {
  const slash = connectionId.indexOf("/");
  return slash < 0 ? undefined : connectionId.slice(0, slash);
};
