// The Redis Store's private chats and their 1:1 calls.
import { randomUUID } from "node:crypto";
import type { CallInfo, PrivateMessage, UserRef } from "@videochat/protocol";
import { type RedisScripts, departed, list, presence } from "../redis-client.js";
import {
  type CallHolder,
  type CallPresence,
  type ClosedChat,
  type DepartedCall,
  type DepartReason,
  PRIVATE_HISTORY_LIMIT,
  type PrivateChatRecord,
} from "../types.js";
import type { MessageChange } from "../message-change.js";
import { changeArgs, changeReply } from "../message-change-redis.js";
import type {
  MissedCall,
  OpenPrivateChatResult,
  PrivateChangeResult,
  PrivateChatsStore,
  StartCallResult,
} from "./contract.js";
import * as lua from "./private.lua.js";

export class RedisPrivateChats implements PrivateChatsStore {
  /** The Lua scripts this part runs, registered by name on the shared connection. */
  static readonly lua = lua;

  /** `historyMs`: how long a pair's history lasts after its last message. */
  constructor(
    private readonly scripts: RedisScripts<keyof typeof lua>,
    private readonly historyMs: number,
  ) {}

  async openPrivateChat(userId: string, partnerId: string): Promise<OpenPrivateChatResult> {
    const result = (await this.scripts.run<OpenPrivateChatResult>(
      "openPrivateChat",
      userId,
      partnerId,
      randomUUID(),
    ))!;
    return result.ok ? { ...result, changes: list(result.changes) } : result;
  }

  getPrivateChat(chatId: string): Promise<PrivateChatRecord | null> {
    return this.scripts.run<PrivateChatRecord>("getPrivateChat", chatId);
  }

  async closePrivateChat(chatId: string): Promise<ClosedChat | null> {
    const result = await this.scripts.run<ClosedChat>("closePrivateChat", chatId);
    return result && { chat: result.chat, changes: list(result.changes) };
  }

  appendPrivateMessage(
    chatId: string,
    message: { from: UserRef; text: string; at: number; call?: PrivateMessage["call"] },
  ) {
    return this.scripts.run<PrivateMessage>(
      "appendPrivateMessage",
      chatId,
      JSON.stringify({ chatId, ...message }),
      PRIVATE_HISTORY_LIMIT,
      this.historyMs,
    );
  }

  async postPrivateMessage(
    userId: string,
    message: { text: string; at: number; replyTo?: number },
  ): Promise<{ chat: PrivateChatRecord; message: PrivateMessage } | null> {
    const reply = await this.scripts.call(
      "postPrivateMessage",
      userId,
      message.text,
      message.at,
      PRIVATE_HISTORY_LIMIT,
      this.historyMs,
      message.replyTo ?? "",
    );
    if (!Array.isArray(reply)) return null;
    const [chat, stored] = reply as [string, string];
    return { chat: JSON.parse(chat) as PrivateChatRecord, message: JSON.parse(stored) as PrivateMessage };
  }

  async privateHistory(chatId: string): Promise<PrivateMessage[]> {
    const messages = (await this.scripts.call("privateHistory", chatId, PRIVATE_HISTORY_LIMIT)) as string[];
    return messages.map((json) => JSON.parse(json) as PrivateMessage);
  }

  async changePrivateMessage(
    userId: string,
    id: number,
    change: MessageChange,
  ): Promise<PrivateChangeResult> {
    const reply = await this.scripts.call("changePrivateMessage", userId, ...changeArgs(id, change));
    if (Array.isArray(reply) && reply.length === 2) {
      const [chat, message] = reply as [string, string];
      return {
        ok: true,
        chat: JSON.parse(chat) as PrivateChatRecord,
        message: JSON.parse(message) as PrivateMessage,
      };
    }
    return changeReply<PrivateMessage, "no_private_chat">(reply) as PrivateChangeResult;
  }

  async startCall(chatId: string, callerId: string, ringDeadline: number): Promise<StartCallResult> {
    return (await this.scripts.run<StartCallResult>(
      "startCall",
      chatId,
      callerId,
      randomUUID(),
      ringDeadline,
    ))!;
  }

  async takeMissedCalls(now: number, limit: number): Promise<MissedCall[]> {
    const replies = (await this.scripts.call("takeMissedCalls", now, limit)) as string[];
    return replies.map((reply) => JSON.parse(reply) as MissedCall);
  }

  answerCall(chatId: string, calleeId: string, callId: string, accept: boolean): Promise<CallInfo | null> {
    return this.scripts.run<CallInfo>("answerCall", chatId, calleeId, callId, accept ? "1" : "0");
  }

  async endCall(chatId: string, callId: string, onlyIfRinging = false): Promise<boolean> {
    return (await this.scripts.call("endCall", chatId, callId, onlyIfRinging ? "1" : "0")) === 1;
  }

  async callPartner(userId: string, callId: string): Promise<string | null> {
    const partner = await this.scripts.call("callPartner", userId, callId);
    return typeof partner === "string" ? partner : null;
  }

  async holdCall(userId: string, callId: string, holder: CallHolder): Promise<void> {
    await this.scripts.call("holdCall", userId, callId, holder.page, holder.connection);
  }

  async keepCall(userId: string, holder: CallHolder): Promise<CallPresence | null> {
    const kept = await this.scripts.run<CallPresence>("keepCall", userId, holder.page, holder.connection);
    return kept && presence(kept);
  }

  async awayFromCall(
    userId: string,
    connection: string,
    deadline: number,
    reason: DepartReason,
  ): Promise<CallPresence | null> {
    const away = await this.scripts.run<CallPresence>("awayFromCall", userId, connection, deadline, reason);
    return away && presence(away);
  }

  async setCallHand(
    userId: string,
    callId: string,
    raised: boolean,
    at: number,
  ): Promise<{ chat: PrivateChatRecord; hands: Record<string, number> } | null> {
    return this.scripts.run("setCallHand", userId, callId, raised ? "1" : "0", at);
  }

  async reloadingCall(userId: string, tab: string, deadline: number): Promise<boolean> {
    return (await this.scripts.call("reloadingCall", userId, tab, deadline)) === 1;
  }

  async takeDepartedCalls(now: number, limit: number): Promise<DepartedCall[]> {
    const replies = (await this.scripts.call("takeDepartedCalls", now, limit)) as string[];
    return replies.map(departed);
  }
}
