// The memory Store's private chats and their 1:1 calls, kept beside the sessions the memory Store
// lends through `SessionHost`. Every method runs without awaiting, so each is atomic like the Redis
// scripts.
import { randomUUID } from "node:crypto";
import type { CallInfo, PrivateMessage } from "@videochat/protocol";
import { anotherTab, ofTab, ref, type SessionHost } from "../memory-records.js";
import type { Immediate } from "../methods.js";
import { changeIn, quoteIn, type MessageChange } from "../message-change.js";
import {
  PRIVATE_HISTORY_LIMIT,
  type CallHolder,
  type CallPresence,
  type ClosedChat,
  type DepartedCall,
  type DepartReason,
  type MembershipChange,
  type PrivateChatRecord,
} from "../types.js";
import type {
  MissedCall,
  OpenPrivateChatResult,
  PrivateChangeResult,
  PrivateChatsStore,
  StartCallResult,
} from "./contract.js";

/** A pair's private history, shared by its successive chats. */
interface PairHistory {
  lastMessageId: number;
  messages: PrivateMessage[];
  /** Epoch ms (wall clock, like a Redis PEXPIRE) at which the history is forgotten. */
  expiresAt: number;
}

/** The unordered pair of user ids a private history belongs to. */
const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

interface ChatRecord extends PrivateChatRecord {
  /** Epoch ms at which a ringing call is missed. */
  ringDeadline?: number;
  /** Partner id -> the tab holding their side of the call `callId`, and until when it may stay away. */
  holds?: Map<string, CallHolder & { callId: string; away?: { deadline: number; reason: DepartReason } }>;
}

export class MemoryPrivateChats implements Immediate<PrivateChatsStore> {
  private readonly chats = new Map<string, ChatRecord>();
  private readonly pairs = new Map<string, PairHistory>();

  /** `historyMs`: how long a pair's history lasts after its last message. */
  constructor(
    private readonly host: SessionHost,
    private readonly historyMs: number,
  ) {}

  /** The pair history of `chat`, created when asked to (`create`), forgotten once expired. */
  private pairOf(chat: PrivateChatRecord, create: true): PairHistory;
  private pairOf(chat: PrivateChatRecord, create?: false): PairHistory | undefined;
  private pairOf(chat: PrivateChatRecord, create = false): PairHistory | undefined {
    const key = pairKey(chat.a.id, chat.b.id);
    let pair = this.pairs.get(key);
    if (pair && pair.expiresAt <= Date.now()) {
      this.pairs.delete(key);
      pair = undefined;
    }
    if (!pair && create) {
      pair = { lastMessageId: 0, messages: [], expiresAt: 0 };
      this.pairs.set(key, pair);
    }
    return pair;
  }

  openPrivateChat(userId: string, partnerId: string): OpenPrivateChatResult {
    const me = this.host.session(userId);
    const partner = this.host.session(partnerId);
    if (!me) return { ok: false, code: "session_unknown" };
    if (!partner || partner.id === me.id || !partner.entered || partner.room !== me.room) {
      return { ok: false, code: "partner_unavailable" };
    }
    if (me.chatId || me.groupCallId) return { ok: false, code: "already_in_chat" };
    if (partner.chatId || partner.groupCallId)
      return { ok: false, code: "partner_busy", partnerName: partner.name };
    const chat: ChatRecord = {
      id: randomUUID(),
      a: ref(me),
      b: ref(partner),
    };
    this.chats.set(chat.id, chat);
    me.chatId = partner.chatId = chat.id;
    const changes = [me, partner].flatMap((record) => this.host.refresh(record));
    return { ok: true, chat: publicChat(chat), changes };
  }

  getPrivateChat(chatId: string): PrivateChatRecord | null {
    const chat = this.chats.get(chatId);
    return chat ? publicChat(chat) : null;
  }

  /** Closes the chat and frees both sides; undefined when there is no such chat. */
  close(chatId: string): ClosedChat | undefined {
    const chat = this.chats.get(chatId);
    if (!chat) return undefined;
    this.chats.delete(chatId);
    const changes: MembershipChange[] = [];
    for (const side of [chat.a, chat.b]) {
      const record = this.host.session(side.id);
      if (record?.chatId !== chatId) continue;
      record.chatId = undefined;
      changes.push(...this.host.refresh(record));
    }
    return { chat: publicChat(chat), changes };
  }

  closePrivateChat(chatId: string): ClosedChat | null {
    return this.close(chatId) ?? null;
  }

  postPrivateMessage(
    userId: string,
    message: { text: string; at: number; replyTo?: number },
  ): { chat: PrivateChatRecord; message: PrivateMessage } | null {
    const session = this.host.session(userId);
    const chat = session?.chatId ? this.chats.get(session.chatId) : undefined;
    if (!session || !chat) return null;
    const { replyTo, ...rest } = message;
    const quote = quoteIn(this.pairOf(chat)?.messages ?? [], replyTo);
    const stored = this.appendPrivateMessage(chat.id, {
      from: ref(session),
      ...rest,
      ...(quote ? { replyTo: quote } : {}),
    });
    return stored && { chat: publicChat(chat), message: stored };
  }

  appendPrivateMessage(
    chatId: string,
    message: Omit<PrivateMessage, "id" | "chatId">,
  ): PrivateMessage | null {
    const chat = this.chats.get(chatId);
    if (!chat) return null;
    const pair = this.pairOf(chat, true);
    const stored: PrivateMessage = { id: ++pair.lastMessageId, chatId, ...message };
    pair.messages.push(stored);
    if (pair.messages.length > PRIVATE_HISTORY_LIMIT) pair.messages.shift();
    pair.expiresAt = Date.now() + this.historyMs;
    return stored;
  }

  privateHistory(chatId: string): PrivateMessage[] {
    const chat = this.chats.get(chatId);
    return [...((chat && this.pairOf(chat)?.messages) ?? [])];
  }

  changePrivateMessage(userId: string, id: number, change: MessageChange): PrivateChangeResult {
    const session = this.host.session(userId);
    const chat = session?.chatId ? this.chats.get(session.chatId) : undefined;
    if (!session || !chat) return { ok: false, code: "no_private_chat" };
    const changed = changeIn(this.pairOf(chat)?.messages ?? [], ref(session), id, change);
    return changed.ok ? { ...changed, chat: publicChat(chat) } : changed;
  }

  startCall(chatId: string, callerId: string, ringDeadline: number): StartCallResult {
    const chat = this.chats.get(chatId);
    if (!chat) return { ok: false, code: "no_private_chat" };
    if (chat.call) return { ok: false, code: "call_exists" };
    chat.call = { id: randomUUID(), callerId, state: "ringing" };
    chat.ringDeadline = ringDeadline;
    return { ok: true, call: copyCall(chat.call) };
  }

  takeMissedCalls(now: number, limit: number): MissedCall[] {
    const missed: MissedCall[] = [];
    for (const chat of this.chats.values()) {
      if (missed.length >= limit) break;
      const { call, ringDeadline } = chat;
      if (call?.state !== "ringing" || ringDeadline === undefined || ringDeadline > now) continue;
      chat.call = chat.ringDeadline = undefined;
      missed.push({ chat: publicChat(chat), callId: call.id, callerId: call.callerId });
    }
    return missed;
  }

  answerCall(chatId: string, calleeId: string, callId: string, accept: boolean): CallInfo | null {
    const call = this.chats.get(chatId)?.call;
    if (!call || call.id !== callId || call.state !== "ringing" || call.callerId === calleeId) return null;
    if (accept) call.state = "active";
    else this.chats.get(chatId)!.call = undefined;
    return copyCall(call);
  }

  endCall(chatId: string, callId: string, onlyIfRinging = false): boolean {
    const chat = this.chats.get(chatId);
    if (chat?.call?.id !== callId || (onlyIfRinging && chat.call.state !== "ringing")) return false;
    chat.call = undefined;
    return true;
  }

  callPartner(userId: string, callId: string): string | null {
    const chatId = this.host.session(userId)?.chatId;
    const chat = chatId ? this.chats.get(chatId) : undefined;
    if (!chat || chat.call?.id !== callId) return null;
    return chat.a.id === userId ? chat.b.id : chat.a.id;
  }

  holdCall(userId: string, callId: string, holder: CallHolder): void {
    const chat = this.chats.get(this.host.session(userId)?.chatId ?? "");
    if (chat?.call?.id === callId) (chat.holds ??= new Map()).set(userId, { ...holder, callId });
  }

  keepCall(userId: string, holder: CallHolder): CallPresence | null {
    const chat = this.chats.get(this.host.session(userId)?.chatId ?? "");
    const held = chat?.holds?.get(userId);
    if (!chat?.call || held?.callId !== chat.call.id || anotherTab(held.page, holder.page)) return null;
    const rejoined = held.page !== holder.page;
    const away = held.away;
    chat.holds!.set(userId, { ...holder, callId: held.callId });
    return rejoined || away ? presence(chat, userId, chat.call.id, rejoined) : null;
  }

  awayFromCall(
    userId: string,
    connection: string,
    deadline: number,
    reason: DepartReason,
  ): CallPresence | null {
    const chat = this.chats.get(this.host.session(userId)?.chatId ?? "");
    const held = chat?.holds?.get(userId);
    if (!chat?.call || held?.callId !== chat.call.id || held.connection !== connection) return null;
    held.away = { deadline, reason };
    return presence(chat, userId, chat.call.id, false);
  }

  setCallHand(
    userId: string,
    callId: string,
    raised: boolean,
    at: number,
  ): { chat: PrivateChatRecord; hands: Record<string, number> } | null {
    const chat = this.chats.get(this.host.session(userId)?.chatId ?? "");
    const call = chat?.call;
    if (!chat || call?.id !== callId || call.state !== "active") return null;
    const hands = { ...call.hands };
    if (raised) hands[userId] ??= at;
    else delete hands[userId];
    if (Object.keys(hands).length > 0) call.hands = hands;
    else delete call.hands;
    return { chat: publicChat(chat), hands: { ...hands } };
  }

  reloadingCall(userId: string, tab: string, deadline: number): boolean {
    const chat = this.chats.get(this.host.session(userId)?.chatId ?? "");
    const held = chat?.holds?.get(userId);
    if (!chat?.call || held?.callId !== chat.call.id || !held.away || !ofTab(held.page, tab)) return false;
    held.away = { deadline: Math.max(held.away.deadline, deadline), reason: "lost" };
    return true;
  }

  takeDepartedCalls(now: number, limit: number): DepartedCall[] {
    const out: DepartedCall[] = [];
    for (const chat of this.chats.values()) {
      if (out.length >= limit) break;
      for (const [userId, held] of chat.holds ?? []) {
        if (!chat.call || held.callId !== chat.call.id || !held.away || held.away.deadline > now) continue;
        const callId = chat.call.id;
        chat.call = chat.ringDeadline = undefined;
        const user = chat.a.id === userId ? chat.a : chat.b;
        out.push({ kind: "private", user, reason: held.away.reason, chat: publicChat(chat), callId });
      }
    }
    return out;
  }
}

/** Who is told that `userId`'s side of the chat's call is away or back: the partner. */
function presence(chat: ChatRecord, userId: string, callId: string, rejoined: boolean): CallPresence {
  const [user, partner] = chat.a.id === userId ? [chat.a, chat.b] : [chat.b, chat.a];
  return { kind: "private", callId, user, others: [partner.id], rejoined };
}

function publicChat(chat: ChatRecord): PrivateChatRecord {
  const { id, a, b, call } = chat;
  return call ? { id, a, b, call: copyCall(call) } : { id, a, b };
}

const copyCall = (call: CallInfo): CallInfo =>
  call.hands ? { ...call, hands: { ...call.hands } } : { ...call };
