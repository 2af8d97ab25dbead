// The Store's group-call part: one call per room, a capped list of participants, and invitations with
// a deadline. One conversation at a time: someone in a private chat or a group call is busy.
import type { GroupCall, MediaState, UserRef } from "@videochat/protocol";
import { methodsOf } from "../methods.js";
import type {
  CallHolder,
  CallPresence,
  DepartedCall,
  DepartReason,
  LeftGroupCall,
  MembershipChange,
} from "../types.js";

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
   * A tab of the user attached while they are in a group call. The holding page (a reconnect) or a new
   * page load of the holding tab (a reload) holds the place again on `holder` and its grace ends: the
   * presence to announce when the place was away or the page is new (`rejoined`), else null. Another
   * tab of the user changes nothing (null): the call stays with its holder.
   */
  keepGroupCall(userId: string, holder: CallHolder): Promise<CallPresence | null>;

  /**
   * The connection `connection` closed. When it held the user's place, the place is away until
   * `deadline` (epoch ms, stored and fired by takeDepartedParticipants) unless a page of the holding tab
   * takes it back (keepGroupCall); `reason` is why it will end then. The presence to announce, or null
   * when that connection held no place.
   */
  awayFromGroupCall(
    userId: string,
    connection: string,
    deadline: number,
    reason: DepartReason,
  ): Promise<CallPresence | null>;

  /** As reloadingCall, for the user's place in their group call. */
  reloadingGroupCall(userId: string, tab: string, deadline: number): Promise<boolean>;

  /** Takes out, each once across callers, every participant whose place stayed away past its deadline. */
  takeDepartedParticipants(now: number, limit: number): Promise<DepartedCall[]>;

  /**
   * Takes out, each once across callers, every participant of the calls of `rooms` whose holding
   * connection has been gone for `graceMs` with no page taking it back (a closed tab while another tab
   * of the user lives on). A sweep that first finds a holder gone stores when (the deadline is data);
   * one that finds it back, or keepGroupCall, clears it.
   */
  takeLostHolders(now: number, graceMs: number, rooms: string[]): Promise<LeftGroupCall[]>;

  /** Keeps the participant's media state with their call; null when the user is in no group call. */
  setGroupCallMedia(userId: string, media: MediaState): Promise<MediaChange | null>;

  /**
   * Raises (`raised`) or lowers the hand of a participant of call `callId`, raised at `at` (epoch ms; a
   * hand already up keeps its first time). Bumps the call's version and returns it (its `hands` say who
   * is up); null when the user is not a participant of `callId`. A hand goes down when its owner leaves.
   */
  setGroupCallHand(userId: string, callId: string, raised: boolean, at: number): Promise<GroupCall | null>;

  /** The other participants of `callId` when the user is one of them (reactions go to them), else null. */
  groupCallOthers(userId: string, callId: string): Promise<string[] | null>;

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
  "awayFromGroupCall",
  "reloadingGroupCall",
  "takeDepartedParticipants",
  "takeLostHolders",
  "setGroupCallMedia",
  "setGroupCallHand",
  "groupCallOthers",
  "leaveGroupCall",
  "inviteToGroupCall",
  "declineGroupInvite",
  "takeMissedInvites",
  "groupCallPeers",
  "groupCallOf",
]);
