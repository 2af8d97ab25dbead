// The Store's group-call part: one call per room, a capped list of participants, and invitations with
// a deadline. One conversation at a time: someone in a private chat or a group call is busy.
import type { GroupCall, UserRef } from "../protocol.js";
import type { MembershipChange } from "./store.js";

/** A participant left (or was taken out of) a group call; `call` is absent once it ended. */
export interface LeftGroupCall {
  callId: string;
  room: string;
  call?: GroupCall;
  /** The leaver's busy flag, for their room (empty when they left the room too). */
  changes: MembershipChange[];
}

export type StartGroupCallResult =
  | { ok: true; call: GroupCall; changes: MembershipChange[] }
  | { ok: false; code: "session_unknown" | "not_in_room" | "already_in_chat" | "call_exists" };

export type JoinGroupCallResult =
  | { ok: true; call: GroupCall; changes: MembershipChange[] }
  | { ok: false; code: "session_unknown" | "no_call" | "call_full" | "already_in_chat" };

export type InviteResult =
  | { ok: true; call: GroupCall; inviter: UserRef }
  | { ok: false; code: "no_call" | "partner_unavailable" }
  | { ok: false; code: "partner_busy"; partnerName: string };

/** An invitation that was declined or expired: the inviter is told. */
export interface EndedInvite {
  callId: string;
  inviterId: string;
  invitee: UserRef;
}

export interface GroupCallStore {
  /** Starts the group call of the user's room (at most `max` participants) with the user in it. */
  startGroupCall(userId: string, callId: string, max: number): Promise<StartGroupCallResult>;

  /** Joins the room's call `callId`: refused when it is not the user's room's call, full, or the user is busy. */
  joinGroupCall(userId: string, callId: string): Promise<JoinGroupCallResult>;

  /** Takes the user out of their group call; the call ends with its last participant. Null if in none. */
  leaveGroupCall(userId: string): Promise<LeftGroupCall | null>;

  /** A participant rings a member of the same room, until `deadline` (epoch ms) at the latest. */
  inviteToGroupCall(inviterId: string, inviteeId: string, deadline: number): Promise<InviteResult>;

  /** The invitee says no; null when there was no such invitation (answered, expired, or never made). */
  declineGroupInvite(inviteeId: string, callId: string): Promise<EndedInvite | null>;

  /** Ends, exactly once across callers, every invitation still unanswered at `now`. */
  takeMissedInvites(now: number, limit: number): Promise<EndedInvite[]>;

  /** True while both users are participants of `callId` (signals are relayed only then). One round trip. */
  groupCallPeers(userId: string, callId: string, peerId: string): Promise<boolean>;

  /** The room's group call, if one is on. */
  groupCallOf(room: string): Promise<GroupCall | null>;
}
