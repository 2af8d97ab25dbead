// The memory Store's group calls (see contract.ts): kept beside the sessions the memory Store owns
// (memory.ts wires them), lent through `SessionHost`. Every method runs without awaiting, so each is
// atomic like the Redis scripts.
import type { GroupCall, MediaState } from "@videochat/protocol";
import { anotherTab, ofTab, type SessionHost } from "../memory-records.js";
import type { Immediate } from "../methods.js";
import type {
  CallHolder,
  CallPresence,
  DepartedCall,
  DepartReason,
  LeftGroupCall,
  MembershipChange,
  Session,
} from "../types.js";
import type {
  EndedInvite,
  GroupCallStore,
  InviteResult,
  JoinGroupCallResult,
  MediaChange,
  StartGroupCallResult,
} from "./contract.js";

interface CallRecord {
  id: string;
  room: string;
  version: number;
  max: number;
  order: string[];
  /** Invitee id -> inviter id and deadline (epoch ms). */
  invites: Map<string, { inviterId: string; deadline: number }>;
  /**
   * Participant id -> the tab holding their place, since when (epoch ms) a sweep found it gone, and
   * until when it may stay away (its connection closed) and why it ends then.
   */
  holders: Map<string, CallHolder & { lostAt?: number; away?: { deadline: number; reason: DepartReason } }>;
  /** Participant id -> their media state as last told. */
  media: Map<string, MediaState>;
  /** Participant id -> when they raised their hand (epoch ms). */
  hands: Map<string, number>;
}

export class MemoryGroupCalls implements Immediate<GroupCallStore> {
  private readonly calls = new Map<string, CallRecord>();
  private readonly byRoom = new Map<string, string>();

  constructor(private readonly host: SessionHost) {}

  startGroupCall(userId: string, callId: string, max: number, holder: CallHolder): StartGroupCallResult {
    const s = this.host.session(userId);
    if (!s) return { ok: false, code: "session_unknown" };
    if (!s.entered) return { ok: false, code: "not_in_room" };
    if (s.chatId || s.groupCallId) return { ok: false, code: "already_in_chat" };
    if (this.byRoom.has(s.room)) return { ok: false, code: "call_exists" };
    const call: CallRecord = {
      id: callId,
      room: s.room,
      version: 1,
      max,
      order: [s.id],
      invites: new Map(),
      holders: new Map([[s.id, holder]]),
      media: new Map(),
      hands: new Map(),
    };
    this.calls.set(callId, call);
    this.byRoom.set(s.room, callId);
    s.groupCallId = callId;
    return { ok: true, call: this.view(call), changes: this.host.refresh(s) };
  }

  joinGroupCall(userId: string, callId: string, holder: CallHolder): JoinGroupCallResult {
    const s = this.host.session(userId);
    if (!s) return { ok: false, code: "session_unknown" };
    const call = this.calls.get(callId);
    if (s.groupCallId === callId && call) return { ok: true, call: this.view(call), changes: [] };
    if (!call || this.byRoom.get(s.room) !== callId || !s.entered) return { ok: false, code: "no_call" };
    if (s.chatId || s.groupCallId) return { ok: false, code: "already_in_chat" };
    if (call.order.length >= call.max) return { ok: false, code: "call_full" };
    call.order.push(s.id);
    call.version += 1;
    call.invites.delete(s.id);
    call.holders.set(s.id, holder);
    call.media.delete(s.id);
    s.groupCallId = callId;
    return { ok: true, call: this.view(call), changes: this.host.refresh(s) };
  }

  /** Takes a session out of its call (the call ends with its last participant); `changes` gets its busy change. */
  leave(s: Session, changes: MembershipChange[] = []): LeftGroupCall | undefined {
    const call = s.groupCallId ? this.calls.get(s.groupCallId) : undefined;
    s.groupCallId = undefined;
    if (!call) return undefined;
    call.order = call.order.filter((id) => id !== s.id);
    call.holders.delete(s.id);
    call.media.delete(s.id);
    call.hands.delete(s.id);
    call.version += 1;
    changes.push(...this.host.refresh(s));
    if (call.order.length > 0) return { callId: call.id, room: call.room, call: this.view(call), changes };
    this.calls.delete(call.id);
    if (this.byRoom.get(call.room) === call.id) this.byRoom.delete(call.room);
    return { callId: call.id, room: call.room, changes };
  }

  leaveGroupCall(userId: string): LeftGroupCall | null {
    const s = this.host.session(userId);
    return (s && this.leave(s)) ?? null;
  }

  keepGroupCall(userId: string, holder: CallHolder): CallPresence | null {
    const s = this.host.session(userId);
    const call = s?.groupCallId ? this.calls.get(s.groupCallId) : undefined;
    if (!s || !call) return null;
    const held = call.holders.get(s.id);
    if (held && anotherTab(held.page, holder.page)) return null;
    call.holders.set(s.id, holder);
    const rejoined = held !== undefined && held.page !== holder.page;
    return rejoined || held?.away ? this.presence(call, s, rejoined) : null;
  }

  awayFromGroupCall(
    userId: string,
    connection: string,
    deadline: number,
    reason: DepartReason,
  ): CallPresence | null {
    const s = this.host.session(userId);
    const call = s?.groupCallId ? this.calls.get(s.groupCallId) : undefined;
    const held = call?.holders.get(userId);
    if (!s || !call || held?.connection !== connection) return null;
    held.away = { deadline, reason };
    return this.presence(call, s, false);
  }

  reloadingGroupCall(userId: string, tab: string, deadline: number): boolean {
    const s = this.host.session(userId);
    const held = s?.groupCallId ? this.calls.get(s.groupCallId)?.holders.get(userId) : undefined;
    if (!held?.away || !ofTab(held.page, tab)) return false;
    held.away = { deadline: Math.max(held.away.deadline, deadline), reason: "lost" };
    return true;
  }

  takeDepartedParticipants(now: number, limit: number): DepartedCall[] {
    const out: DepartedCall[] = [];
    for (const call of [...this.calls.values()]) {
      for (const [id, held] of [...call.holders]) {
        if (out.length >= limit) return out;
        const s = this.host.session(id);
        if (!s || !held.away || held.away.deadline > now) continue;
        const left = this.leave(s);
        if (left) out.push({ kind: "group", user: this.ref(id), reason: held.away.reason, left });
      }
    }
    return out;
  }

  private presence(call: CallRecord, s: Session, rejoined: boolean): CallPresence {
    const others = call.order.filter((id) => id !== s.id);
    return { kind: "group", callId: call.id, user: this.ref(s.id), others, rejoined };
  }

  /** One process: every call is in reach, whatever the rooms an instance would sweep. */
  takeLostHolders(now: number, graceMs: number): LeftGroupCall[] {
    const out: LeftGroupCall[] = [];
    for (const call of [...this.calls.values()]) {
      for (const [id, held] of [...call.holders]) {
        if (this.host.connected(id, held.connection)) held.lostAt = undefined;
        else if ((held.lostAt ??= now) + graceMs <= now) {
          const s = this.host.session(id);
          const left = s?.groupCallId === call.id ? this.leave(s) : undefined;
          if (left) out.push(left);
        }
      }
    }
    return out;
  }

  setGroupCallMedia(userId: string, media: MediaState): MediaChange | null {
    const s = this.host.session(userId);
    const call = s?.groupCallId ? this.calls.get(s.groupCallId) : undefined;
    if (!s || !call) return null;
    call.media.set(s.id, media);
    return { callId: call.id, others: call.order.filter((id) => id !== s.id) };
  }

  setGroupCallHand(userId: string, callId: string, raised: boolean, at: number): GroupCall | null {
    const call = this.callOf(userId, callId);
    if (!call) return null;
    if (!raised) call.hands.delete(userId);
    else if (!call.hands.has(userId)) call.hands.set(userId, at);
    call.version += 1;
    return this.view(call);
  }

  groupCallOthers(userId: string, callId: string): string[] | null {
    return this.callOf(userId, callId)?.order.filter((id) => id !== userId) ?? null;
  }

  /** Call `callId` when the user is one of its participants. */
  private callOf(userId: string, callId: string): CallRecord | undefined {
    const call = this.calls.get(callId);
    return call && this.host.session(userId)?.groupCallId === callId ? call : undefined;
  }

  inviteToGroupCall(inviterId: string, inviteeId: string, deadline: number): InviteResult {
    const me = this.host.session(inviterId);
    const call = me?.groupCallId ? this.calls.get(me.groupCallId) : undefined;
    if (!me || !call) return { ok: false, code: "no_call" };
    const other = this.host.session(inviteeId);
    if (!other || other.id === me.id || !other.entered || other.room !== me.room)
      return { ok: false, code: "partner_unavailable" };
    if (other.chatId || other.groupCallId)
      return { ok: false, code: "partner_busy", partnerName: other.name };
    call.invites.set(other.id, { inviterId: me.id, deadline });
    return { ok: true, call: this.view(call), inviter: { id: me.id, name: me.name } };
  }

  declineGroupInvite(inviteeId: string, callId: string): EndedInvite | null {
    const invite = this.calls.get(callId)?.invites.get(inviteeId);
    if (!invite) return null;
    this.calls.get(callId)!.invites.delete(inviteeId);
    return { callId, inviterId: invite.inviterId, invitee: this.ref(inviteeId) };
  }

  takeMissedInvites(now: number, limit: number): EndedInvite[] {
    const missed: EndedInvite[] = [];
    for (const call of this.calls.values()) {
      for (const [inviteeId, invite] of call.invites) {
        if (missed.length >= limit) return missed;
        if (invite.deadline > now) continue;
        call.invites.delete(inviteeId);
        missed.push({ callId: call.id, inviterId: invite.inviterId, invitee: this.ref(inviteeId) });
      }
    }
    return missed;
  }

  groupCallPeers(userId: string, callId: string, peerId: string): boolean {
    return (
      userId !== peerId &&
      this.host.session(userId)?.groupCallId === callId &&
      this.host.session(peerId)?.groupCallId === callId
    );
  }

  groupCallOf(room: string): GroupCall | null {
    const call = this.calls.get(this.byRoom.get(room) ?? "");
    return call ? this.view(call) : null;
  }

  private ref(id: string) {
    return { id, name: this.host.session(id)?.name ?? "" };
  }

  private view(call: CallRecord): GroupCall {
    const { id, room, version, max } = call;
    const participants = call.order.map((uid) => this.ref(uid));
    const media = Object.fromEntries(call.media);
    return { id, room, version, max, participants, media, hands: Object.fromEntries(call.hands) };
  }
}
