// The memory Store's reach records and read positions, beside the sessions and rooms it is lent. Like
// the Redis keys they mirror, a user's attempts and a user's positions are each forgotten `ttlMs` after
// their last change: the deadline is kept with them, a read past it finds nothing, and a sweep (at most
// once per SWEEP_MS, on any call) drops the expired ones so a long-running instance does not grow.
import type { ReachAttempt, ReachKind } from "@videochat/protocol";
import { ref, type SessionRecord, type SessionHost } from "../memory-records.js";
import type { Immediate } from "../methods.js";
import { REACH_LIMIT, type ReachCheck, type ReachStore, type ReadState } from "./contract.js";

/** How often, at most, the expired records are swept (ms). */
const SWEEP_MS = 60_000;

/** Records of one user that expire together (as one Redis key does). */
interface Expiring<V> {
  entries: Map<string, V>;
  /** Epoch ms (wall clock, as Redis's PEXPIRE) after which the whole record is gone. */
  expiresAt: number;
}

/** True when `from` may reach someone by `kind` at all: else the feature's own step refuses it. */
export function mayReach(from: Pick<SessionRecord, "chatId" | "groupCallId">, kind: ReachKind): boolean {
  if (kind === "chat") return !from.chatId && !from.groupCallId;
  return kind === "call" ? !!from.chatId : !!from.groupCallId;
}

export class MemoryReach implements Immediate<ReachStore> {
  /** Target user id -> sender id -> the newest attempt (Map order: oldest first). */
  private readonly attempts = new Map<string, Expiring<ReachAttempt>>();
  /** User id -> room -> last-read message id. */
  private readonly positions = new Map<string, Expiring<number>>();
  private nextSweep = 0;

  /**
   * `latestId` answers a room's newest message id (0 before its first); `seed` sets an empty room's
   * id counter (its first message then gets the next id); `ttlMs`: how long a user's records outlive
   * their last change.
   */
  constructor(
    private readonly host: SessionHost,
    private readonly latestId: (room: string) => number,
    private readonly seed: (room: string, id: number) => void,
    private readonly ttlMs: number,
  ) {}

  /** `userId`'s live record in `records` (an expired one is dropped); with `touch`, created or renewed. */
  private live<V>(
    records: Map<string, Expiring<V>>,
    userId: string,
    touch: boolean,
  ): Expiring<V> | undefined {
    const now = Date.now();
    if (now >= this.nextSweep) {
      this.nextSweep = now + Math.min(SWEEP_MS, this.ttlMs);
      for (const map of [this.attempts, this.positions] as Map<string, Expiring<unknown>>[])
        for (const [id, record] of map) if (record.expiresAt <= now) map.delete(id);
    }
    let record = records.get(userId);
    if (record && record.expiresAt <= now) {
      records.delete(userId);
      record = undefined;
    }
    if (!touch) return record;
    record ??= { entries: new Map<string, V>(), expiresAt: 0 };
    record.expiresAt = now + this.ttlMs;
    records.set(userId, record);
    return record;
  }

  checkReach(fromId: string, toId: string, kind: ReachKind, at: number): ReachCheck {
    const target = this.host.session(toId);
    const from = this.host.session(fromId);
    // A sender whose own step will refuse (already talking, or in no call) leaves no notice.
    if (target?.chosen !== "unavailable" || !from || !mayReach(from, kind)) return { refused: false };
    if (!this.noteReach(fromId, toId, kind, at)) return { refused: false };
    return { refused: true, name: target.name };
  }

  noteReach(fromId: string, toId: string, kind: ReachKind, at: number): ReachAttempt | null {
    const from = this.host.session(fromId);
    // Only someone else in the target's room reaches them (the feature's own step refuses the rest).
    if (!from || fromId === toId || this.host.session(toId)?.room !== from.room) return null;
    const kept = this.live(this.attempts, toId, true)!.entries;
    const attempt: ReachAttempt = { from: ref(from), kind, at };
    kept.delete(fromId);
    kept.set(fromId, attempt);
    for (const oldest of kept.keys()) {
      if (kept.size <= REACH_LIMIT) break;
      kept.delete(oldest);
    }
    return attempt;
  }

  reachAttempts(userId: string): ReachAttempt[] {
    return [...(this.live(this.attempts, userId, false)?.entries.values() ?? [])];
  }

  dismissReach(userId: string, fromId: string): boolean {
    return this.live(this.attempts, userId, false)?.entries.delete(fromId) ?? false;
  }

  markRead(userId: string, room: string, id: number): number | null {
    const mine = this.live(this.positions, userId, false)?.entries;
    const next = Math.min(id, this.latestId(room));
    if (next <= (mine?.get(room) ?? 0)) return null;
    this.live(this.positions, userId, true)!.entries.set(room, next);
    return next;
  }

  readState(userId: string, rooms: readonly string[], now: number): ReadState {
    const mine = this.live(this.positions, userId, true)!.entries;
    const state: ReadState = { lastRead: {}, latest: {} };
    for (const room of rooms) {
      if (this.latestId(room) === 0) this.seed(room, now);
      const latest = this.latestId(room);
      if (!mine.has(room)) mine.set(room, latest);
      state.latest[room] = latest;
      state.lastRead[room] = mine.get(room) ?? latest;
    }
    return state;
  }

  latestMessageIds(rooms: readonly string[]): number[] {
    return rooms.map((room) => this.latestId(room));
  }
}
