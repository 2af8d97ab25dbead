// The Store's private chats (two members of one room, one chat at a time) and their 1:1 calls, with
// ring deadlines and the tab that holds each side of a call.
import type { CallInfo, PrivateMessage, UserRef } from "@videochat/protocol";
import type { ChangeResult, MessageChange } from "../message-change.js";
import { methodsOf } from "../methods.js";
import type {
  CallHolder,
  CallPresence,
  ClosedChat,
  DepartedCall,
  DepartReason,
  MembershipChange,
  PrivateChatRecord,
} from "../types.js";

export type OpenPrivateChatResult =
  | { ok: true; chat: PrivateChatRecord; changes: MembershipChange[] }
  | { ok: false; code: "partner_unavailable" | "already_in_chat" | "session_unknown" }
  | { ok: false; code: "partner_busy"; partnerName: string };

export type StartCallResult =
  { ok: true; call: CallInfo } | { ok: false; code: "no_private_chat" | "call_exists" };

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

  /**
   * Ends the chat (and its call) for both partners. Its messages stay the pair's history (see
   * privateHistory) until it expires. Null if already closed.
   */
  closePrivateChat(chatId: string): Promise<ClosedChat | null>;

  /** Null when the chat has closed meanwhile. */
  appendPrivateMessage(
    chatId: string,
    message: { from: UserRef; text: string; at: number; call?: PrivateMessage["call"] },
  ): Promise<PrivateMessage | null>;

  /**
   * A private message from `userId` into the private chat their session is in: gives it the chat's next
   * id and keeps it, in one step that also reads the chat (its partners, for the broadcast). Null when
   * the user has no session or is in no chat.
   */
  postPrivateMessage(
    userId: string,
    message: { text: string; at: number; replyTo?: number },
  ): Promise<{ chat: PrivateChatRecord; message: PrivateMessage } | null>;

  /**
   * The open chat's messages: its pair's history, oldest first (the last PRIVATE_HISTORY_LIMIT), with
   * the messages of the pair's earlier chats, kept for the Store's `privateHistoryMs` after the
   * pair's last message. Empty once the chat is closed (open a chat with the same person again).
   */
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
   * As keepGroupCall, for the call of the user's private chat: the holding page or a new page load of
   * the holding tab (a reload) holds the user's side again; the presence to announce, or null.
   */
  keepCall(userId: string, holder: CallHolder): Promise<CallPresence | null>;

  /** As awayFromGroupCall, for the user's side of their private chat's call. */
  awayFromCall(
    userId: string,
    connection: string,
    deadline: number,
    reason: DepartReason,
  ): Promise<CallPresence | null>;

  /**
   * A new page of tab `tab` is loading while the user's side of their chat's call, held by a page of
   * that tab, is away (a reload slower than the closed-tab grace): the side stays away until
   * `deadline` at the least, and ends as "lost" if no page takes it back by then. False when no side
   * of that tab is away.
   */
  reloadingCall(userId: string, tab: string, deadline: number): Promise<boolean>;

  /**
   * Raises (`raised`) or lowers the hand of one side of call `callId` (the user's chat's active call),
   * raised at `at` (epoch ms; a hand already up keeps its first time). The hands go with the call (its
   * CallInfo's `hands`). The chat, for both sides, with the hands now up; null when `callId` is not
   * the user's active call.
   */
  setCallHand(
    userId: string,
    callId: string,
    raised: boolean,
    at: number,
  ): Promise<{ chat: PrivateChatRecord; hands: Record<string, number> } | null>;

  /** Ends, each once across callers, every call one of whose sides stayed away past its deadline. */
  takeDepartedCalls(now: number, limit: number): Promise<DepartedCall[]>;

  /**
   * As changeRoomMessage, for message `id` of the private chat `userId` is in (the pair's history);
   * the chat comes back with the message, for the broadcast. `no_private_chat` when in none.
   */
  changePrivateMessage(userId: string, id: number, change: MessageChange): Promise<PrivateChangeResult>;
}

/** What changePrivateMessage answers. */
export type PrivateChangeResult =
  | { ok: true; message: PrivateMessage; chat: PrivateChatRecord }
  | Extract<ChangeResult<PrivateMessage, "no_private_chat">, { ok: false }>;

/** The names composeStore binds (the compiler keeps this list equal to PrivateChatsStore's methods). */
export const privateMethods = methodsOf<PrivateChatsStore>()([
  "openPrivateChat",
  "getPrivateChat",
  "closePrivateChat",
  "appendPrivateMessage",
  "postPrivateMessage",
  "privateHistory",
  "startCall",
  "takeMissedCalls",
  "answerCall",
  "endCall",
  "callPartner",
  "holdCall",
  "keepCall",
  "awayFromCall",
  "reloadingCall",
  "setCallHand",
  "takeDepartedCalls",
  "changePrivateMessage",
]);
