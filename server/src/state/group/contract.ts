// The Store's group-call part: one call per room, a capped list of participants, and invitations with
// a deadline. One conversation at a time: someone in a private chat or a group call is busy.
import type { GroupCall, MediaState, UserRef } from "../../protocol.js";
import { methodsOf } from "../methods.js";
import type { CallHolder, LeftGroupCall, MembershipChange } from "../types.js";

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

/** Who is told of a participant's new media state: the other participants of their call. */
export interface MediaChange {
  callId: string;
  others: string[];
}

/** An invitation that was declined or expired: the inviter is told. */
export interface EndedInvite {
  callId: string;
  inviterId: string;
  invitee: UserRef;
}

export interface GroupCallStore {
  /** Starts the group call of the user's room (at most `max` participants) with the user in it, held by `holder`. */
  startGroupCall(
    userId: string,
    callId: string,
    max: number,
    holder: CallHolder,
  ): Promise<StartGroupCallResult>;

  /**
   * Joins the room's call `callId`, held by `holder`: refused when it is not the user's room's call,
   * full, or the user is busy. The joiner's media state starts unknown (the defaults) until told.
   */
  joinGroupCall(userId: string, callId: string, holder: CallHolder): Promise<JoinGroupCallResult>;

  /**
   * A tab of the user attached. The same page as the holder: it holds the call again on its new
   * connection (null). Another page while the holder's connection is still attached: a second tab, the
   * call stays where it is (null). Another page while the holder is gone (a reload, a new page load):
   * nobody can hold the call's media any more, so the user is taken out, as by leaveGroupCall.
   */
  keepGroupCall(userId: string, holder: CallHolder): Promise<LeftGroupCall | null>;

  /**
   * Takes out, each once across callers, every participant of the calls of `rooms` whose holding
   * connection has been gone for `graceMs` with no page taking it back (a closed tab while another tab
   * of the user lives on). A sweep that first finds a holder gone stores when (the deadline is data);
   * one that finds it back, or keepGroupCall, clears it.
   */
  takeLostHolders(now: number, graceMs: number, rooms: string[]): Promise<LeftGroupCall[]>;

  /** Keeps the participant's media state with their call; null when the user is in no group call. */
  setGroupCallMedia(userId: string, media: MediaState): Promise<MediaChange | null>;

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

/** The names composeStore binds (the compiler keeps this list equal to GroupCallStore's methods). */
export const groupMethods = methodsOf<GroupCallStore>()([
  "startGroupCall",
  "joinGroupCall",
  "keepGroupCall",
  "takeLostHolders",
  "setGroupCallMedia",
  "leaveGroupCall",
  "inviteToGroupCall",
  "declineGroupInvite",
  "takeMissedInvites",
  "groupCallPeers",
  "groupCallOf",
]);
