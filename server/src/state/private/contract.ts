// The Store's private chats (two members of one room, one chat at a time) and their 1:1 calls, with
// ring deadlines and the tab that holds each side of a call.
import type { CallInfo, PrivateMessage, UserRef } from "../../protocol.js";
import { methodsOf } from "../methods.js";
import type { CallHolder, ClosedChat, MembershipChange, PrivateChatRecord } from "../types.js";

export type OpenPrivateChatResult =
  | { ok: true; chat: PrivateChatRecord; changes: MembershipChange[] }
  | { ok: false; code: "partner_unavailable" | "already_in_chat" | "session_unknown" }
  | { ok: false; code: "partner_busy"; partnerName: string };

export type StartCallResult =
  { ok: true; call: CallInfo } | { ok: false; code: "no_private_chat" | "call_exists" };

/** A 1:1 call that ended without a hang-up: both partners are told. */
export interface EndedCall {
  chat: PrivateChatRecord;
  callId: string;
}

/** A ring deadline that fired: the call was still ringing and has now ended as missed. */
export interface MissedCall {
  chat: PrivateChatRecord;
  callId: string;
  callerId: string;
}

export interface PrivateChatsStore {
  /**
   * Atomically pairs two members of one room in a private chat, unless either is already in one.
   * Both members' `busy` flag changes; the changes are returned for the rooms.
   */
  openPrivateChat(userId: string, partnerId: string): Promise<OpenPrivateChatResult>;

  getPrivateChat(chatId: string): Promise<PrivateChatRecord | null>;

  /** Ends the chat (and its call) for both partners and forgets its messages. Null if already closed. */
  closePrivateChat(chatId: string): Promise<ClosedChat | null>;

  /** Null when the chat has closed meanwhile. */
  appendPrivateMessage(
    chatId: string,
    message: { from: UserRef; text: string; at: number; call?: PrivateMessage["call"] },
  ): Promise<PrivateMessage | null>;

  /** The chat's kept messages, oldest first (the last HISTORY_LIMIT). */
  privateHistory(chatId: string): Promise<PrivateMessage[]>;

  /**
   * Starts ringing in the chat unless it already has a call. The ring deadline (epoch ms) is stored
   * with the call and fired once by `takeMissedCalls`, whichever instance runs it.
   */
  startCall(chatId: string, callerId: string, ringDeadline: number): Promise<StartCallResult>;

  /** Ends, exactly once across callers, every call still ringing past its deadline at `now`. */
  takeMissedCalls(now: number, limit: number): Promise<MissedCall[]>;

  /** The callee answers a ringing call: accepted calls become active, declined ones are removed. */
  answerCall(chatId: string, calleeId: string, callId: string, accept: boolean): Promise<CallInfo | null>;

  /** Removes the call if it is still `callId` (and still ringing, with `onlyIfRinging`). */
  endCall(chatId: string, callId: string, onlyIfRinging?: boolean): Promise<boolean>;

  /** The partner to relay signalling to: only while `callId` is the sender's current call. One round trip. */
  callPartner(userId: string, callId: string): Promise<string | null>;

  /** The user's side of call `callId` (the caller's from the invite, the callee's from the accept) is held by `holder`. */
  holdCall(userId: string, callId: string, holder: CallHolder): Promise<void>;

  /**
   * As keepGroupCall, for the call of the user's private chat: when the page that held the user's side
   * is gone and another page attaches (a reload), the call ends (the chat stays); the ended call, else null.
   */
  keepCall(userId: string, holder: CallHolder): Promise<EndedCall | null>;
}

/** The names composeStore binds (the compiler keeps this list equal to PrivateChatsStore's methods). */
export const privateMethods = methodsOf<PrivateChatsStore>()([
  "openPrivateChat",
  "getPrivateChat",
  "closePrivateChat",
  "appendPrivateMessage",
  "privateHistory",
  "startCall",
  "takeMissedCalls",
  "answerCall",
  "endCall",
  "callPartner",
  "holdCall",
  "keepCall",
]);
