// The Redis Store's group calls (see contract.ts).
import type { GroupCall, MediaState } from "@videochat/protocol";
import { type RedisScripts, departed, groupCall, leftCall, list, presence } from "../redis-client.js";
import type { CallHolder, CallPresence, DepartedCall, DepartReason, LeftGroupCall } from "../types.js";
import type {
  EndedInvite,
  GroupCallStore,
  InviteResult,
  JoinGroupCallResult,
  MediaChange,
  StartGroupCallResult,
} from "./contract.js";
import * as lua from "./group.lua.js";

export class RedisGroupCalls implements GroupCallStore {
  /** The Lua scripts this part runs, registered by name on the shared connection. */
  static readonly lua = lua;

  constructor(private readonly scripts: RedisScripts<keyof typeof lua>) {}

  async startGroupCall(
    userId: string,
    callId: string,
    max: number,
    holder: CallHolder,
  ): Promise<StartGroupCallResult> {
    const { page, connection } = holder;
    const started = (await this.scripts.run<StartGroupCallResult>(
      "startGroupCall",
      userId,
      callId,
      max,
      page,
      connection,
    ))!;
    return started.ok
      ? { ...started, call: groupCall(started.call), changes: list(started.changes) }
      : started;
  }

  async joinGroupCall(userId: string, callId: string, holder: CallHolder): Promise<JoinGroupCallResult> {
    const { page, connection } = holder;
    const joined = (await this.scripts.run<JoinGroupCallResult>(
      "joinGroupCall",
      userId,
      callId,
      page,
      connection,
    ))!;
    return joined.ok ? { ...joined, call: groupCall(joined.call), changes: list(joined.changes) } : joined;
  }

  async keepGroupCall(userId: string, holder: CallHolder): Promise<CallPresence | null> {
    const kept = await this.scripts.run<CallPresence>(
      "keepGroupCall",
      userId,
      holder.page,
      holder.connection,
    );
    return kept && presence(kept);
  }

  async awayFromGroupCall(
    userId: string,
    connection: string,
    deadline: number,
    reason: DepartReason,
  ): Promise<CallPresence | null> {
    const away = await this.scripts.run<CallPresence>(
      "awayFromGroupCall",
      userId,
      connection,
      deadline,
      reason,
    );
    return away && presence(away);
  }

  async reloadingGroupCall(userId: string, tab: string, deadline: number): Promise<boolean> {
    return (await this.scripts.call("reloadingGroupCall", userId, tab, deadline)) === 1;
  }

  async takeDepartedParticipants(now: number, limit: number): Promise<DepartedCall[]> {
    const replies = (await this.scripts.call("takeDepartedParticipants", now, limit)) as string[];
    return replies.map(departed);
  }

  async takeLostHolders(now: number, graceMs: number, rooms: string[]): Promise<LeftGroupCall[]> {
    const replies = (await this.scripts.call("takeLostHolders", now, graceMs, ...rooms)) as string[];
    return replies.map((reply) => leftCall(JSON.parse(reply) as LeftGroupCall));
  }

  async setGroupCallMedia(userId: string, media: MediaState): Promise<MediaChange | null> {
    const { audio, video, screen } = media;
    const told = await this.scripts.run<MediaChange>(
      "setGroupCallMedia",
      userId,
      JSON.stringify({ audio, video, screen }),
    );
    return told && { ...told, others: list(told.others) };
  }

  async setGroupCallHand(
    userId: string,
    callId: string,
    raised: boolean,
    at: number,
  ): Promise<GroupCall | null> {
    const call = await this.scripts.run<GroupCall>("setGroupCallHand", userId, callId, raised ? at : 0);
    return call && groupCall(call);
  }

  async groupCallOthers(userId: string, callId: string): Promise<string[] | null> {
    const others = await this.scripts.run<string[]>("groupCallOthers", userId, callId);
    return others && list(others);
  }

  async leaveGroupCall(userId: string): Promise<LeftGroupCall | null> {
    const left = await this.scripts.run<LeftGroupCall>("leaveGroupCall", userId);
    return left && leftCall(left);
  }

  async inviteToGroupCall(inviterId: string, inviteeId: string, deadline: number): Promise<InviteResult> {
    const invited = (await this.scripts.run<InviteResult>(
      "inviteToGroupCall",
      inviterId,
      inviteeId,
      deadline,
    ))!;
    return invited.ok ? { ...invited, call: groupCall(invited.call) } : invited;
  }

  declineGroupInvite(inviteeId: string, callId: string): Promise<EndedInvite | null> {
    return this.scripts.run<EndedInvite>("declineGroupInvite", inviteeId, callId);
  }

  async takeMissedInvites(now: number, limit: number): Promise<EndedInvite[]> {
    const replies = (await this.scripts.call("takeMissedInvites", now, limit)) as string[];
    return replies.map((reply) => JSON.parse(reply) as EndedInvite);
  }

  async groupCallPeers(userId: string, callId: string, peerId: string): Promise<boolean> {
    return (await this.scripts.call("groupCallPeers", userId, callId, peerId)) === 1;
  }

  async groupCallOf(room: string): Promise<GroupCall | null> {
    const call = await this.scripts.run<GroupCall>("groupCallOf", room);
    return call && groupCall(call);
  }
}
