// The Redis Store's connections (tabs) of sessions and the instance runs that hold them, with the
// takeover of a dead run's tabs.
import { type RedisScripts, type ViewReply, chargeArgs, roomView, list } from "../redis-client.js";
import { sessionIdOf, tokenDigest } from "../tokens.js";
import type { MembershipChange, PresenceResult, StepCharge } from "../types.js";
import * as connectionsLua from "./connections.lua.js";
import type {
  AttachRefusal,
  AttachResult,
  ConnectionsStore,
  ConnectResult,
  HeartbeatResult,
  SessionSnapshot,
  TakeOverResult,
} from "./contract.js";
import * as instancesLua from "./instances.lua.js";

const lua = { ...connectionsLua, ...instancesLua };

export class RedisConnections implements ConnectionsStore {
  /** The Lua scripts this part runs, registered by name on the shared connection. */
  static readonly lua = lua;

  constructor(private readonly scripts: RedisScripts<keyof typeof lua>) {}

  async connect(
    token: string,
    connectionId: string,
    maxConnections: number,
    attach?: StepCharge,
  ): Promise<ConnectResult> {
    const [json, ...view] = (await this.scripts.call(
      "connect",
      sessionIdOf(token),
      tokenDigest(token),
      connectionId,
      maxConnections,
      ...(attach ? [attach.now, attach.points, attach.windowMs] : []),
    )) as [string, ...ViewReply];
    const attached = JSON.parse(json) as ConnectResult;
    return attached.ok ? { ...attached, view: roomView(view) } : attached;
  }

  async holdOff(userId: string, until: number): Promise<void> {
    await this.scripts.call("holdOff", userId, Math.round(until));
  }

  async attachConnection(
    userId: string,
    connectionId: string,
    maxConnections: number,
  ): Promise<AttachResult | { ok: false; code: AttachRefusal }> {
    return (await this.scripts.run<AttachResult | { ok: false; code: AttachRefusal }>(
      "attachConnection",
      userId,
      connectionId,
      maxConnections,
    ))!;
  }

  async restoreSession(
    snapshot: SessionSnapshot,
    connectionId: string,
    maxConnections: number,
  ): Promise<AttachResult | { ok: false; code: AttachRefusal | "name_taken" }> {
    const { id, name, nameKey, tokenDigest: digest, room, roomSeq, status } = snapshot;
    return (await this.scripts.run<AttachResult | { ok: false; code: AttachRefusal | "name_taken" }>(
      "restoreSession",
      JSON.stringify({ id, name, nameKey, tokenDigest: digest, room, roomSeq, status }),
      connectionId,
      maxConnections,
    ))!;
  }

  async detachConnection(
    userId: string,
    connectionId: string,
    graceDeadline: number,
  ): Promise<{ changed?: MembershipChange }> {
    return (await this.scripts.run<{ changed?: MembershipChange }>(
      "detachConnection",
      userId,
      connectionId,
      graceDeadline,
    ))!;
  }

  setConnectionIdle(
    userId: string,
    connectionId: string,
    idle: boolean,
    charge?: StepCharge,
  ): Promise<PresenceResult | null> {
    return this.scripts.run(
      "setConnectionIdle",
      userId,
      connectionId,
      idle ? "1" : "0",
      ...chargeArgs(charge),
    );
  }

  async heartbeat(instanceKey: string, now: number, graceMs: number): Promise<HeartbeatResult> {
    const beat = (await this.scripts.run<HeartbeatResult>("heartbeat", instanceKey, now, graceMs))!;
    return { added: beat.added, predecessors: list(beat.predecessors), changes: list(beat.changes) };
  }

  async takeOverDeadInstances(now: number, ttlMs: number, graceMs: number): Promise<TakeOverResult> {
    const taken = (await this.scripts.run<TakeOverResult>("takeOverDeadInstances", now, ttlMs, graceMs))!;
    return { instances: list(taken.instances), changes: list(taken.changes) };
  }

  async retireInstance(instanceId: string, graceDeadline: number): Promise<MembershipChange[]> {
    const retired = (await this.scripts.run<{ changes: MembershipChange[] }>(
      "retireInstance",
      instanceId,
      graceDeadline,
    ))!;
    return list(retired.changes);
  }

  async renewGrace(userId: string, graceDeadline: number): Promise<boolean> {
    // XX: only a session still in the grace set (no connection, not reaped); CH: 1 when it changed.
    return (
      (await this.scripts.redis.zadd(this.scripts.key("grace"), "XX", "CH", graceDeadline, userId)) === 1
    );
  }
}
