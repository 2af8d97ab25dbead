// The memory Store's private chats and their 1:1 calls, kept beside the sessions the memory Store
// lends through `SessionHost`. Every method runs without awaiting, so each is atomic like the Redis
// scripts.
import { randomUUID } from "node:crypto";
import type { CallInfo, PrivateMessage, UserRef } from "../../protocol.js";
import { anotherTab, ref, type SessionHost } from "../memory-records.js";
import type { Immediate } from "../methods.js";
import {
  HISTORY_LIMIT,
  type CallHolder,
  type ClosedChat,
  type MembershipChange,
  type PrivateChatRecord,
} from "../types.js";
import type {
  EndedCall,
  MissedCall,
  OpenPrivateChatResult,
  PrivateChatsStore,
  StartCallResult,
} from "./contract.js";

interface ChatRecord extends PrivateChatRecord {
  lastMessageId: number;
  messages: PrivateMessage[];
  /** Epoch ms at which a ringing call is missed. */
  ringDeadline?: number;
  /** Partner id -> the tab holding their side of the call `callId`. */
  holds?: Map<string, CallHolder & { callId: string }>;
}

export class MemoryPrivateChats implements Immediate<PrivateChatsStore> {
  private readonly chats = new Map<string, ChatRecord>();

  constructor(private readonly host: SessionHost) {}

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
      lastMessageId: 0,
      messages: [],
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

  appendPrivateMessage(
    chatId: string,
    message: { from: UserRef; text: string; at: number; call?: PrivateMessage["call"] },
  ): PrivateMessage | null {
    const chat = this.chats.get(chatId);
    if (!chat) return null;
    const stored: PrivateMessage = { id: ++chat.lastMessageId, chatId, ...message };
    chat.messages.push(stored);
    if (chat.messages.length > HISTORY_LIMIT) chat.messages.shift();
    return stored;
  }

  privateHistory(chatId: string): PrivateMessage[] {
    return [...(this.chats.get(chatId)?.messages ?? [])];
  }

  startCall(chatId: string, callerId: string, ringDeadline: number): StartCallResult {
    const chat = this.chats.get(chatId);
    if (!chat) return { ok: false, code: "no_private_chat" };
    if (chat.call) return { ok: false, code: "call_exists" };
    chat.call = { id: randomUUID(), callerId, state: "ringing" };
    chat.ringDeadline = ringDeadline;
    return { ok: true, call: { ...chat.call } };
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
    return { ...call };
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

  keepCall(userId: string, holder: CallHolder): EndedCall | null {
    const record = this.host.session(userId);
    const chat = this.chats.get(record?.chatId ?? "");
    const held = chat?.holds?.get(userId);
    if (!record || !chat?.call || held?.callId !== chat.call.id) return null;
    if (held.page === holder.page) held.connection = holder.connection;
    if (held.page === holder.page || anotherTab(held.page, holder.page)) return null;
    if (this.host.connected(userId, held.connection)) return null;
    const callId = chat.call.id;
    chat.call = chat.ringDeadline = undefined;
    return { chat: publicChat(chat), callId };
  }
}

function publicChat(chat: ChatRecord): PrivateChatRecord {
  const { id, a, b, call } = chat;
  return call ? { id, a, b, call: { ...call } } : { id, a, b };
}
