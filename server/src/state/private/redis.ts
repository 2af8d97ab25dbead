// The Redis Store's private chats and their 1:1 calls.
import { randomUUID } from "node:crypto";
import type { CallInfo, PrivateMessage, UserRef } from "../../protocol.js";
import { type RedisScripts, list } from "../redis-client.js";
import { type CallHolder, type ClosedChat, HISTORY_LIMIT, type PrivateChatRecord } from "../types.js";
import type {
  EndedCall,
  MissedCall,
  OpenPrivateChatResult,
  PrivateChatsStore,
  StartCallResult,
} from "./contract.js";
import * as lua from "./private.lua.js";

export class RedisPrivateChats implements PrivateChatsStore {
  /** The Lua scripts this part runs, registered by name on the shared connection. */
  static readonly lua = lua;

  constructor(private readonly scripts: RedisScripts<keyof typeof lua>) {}

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
      HISTORY_LIMIT,
    );
  }

  async privateHistory(chatId: string): Promise<PrivateMessage[]> {
    const messages = await this.scripts.redis.lrange(this.scripts.key("chat", chatId, "messages"), 0, -1);
    return messages.map((json) => JSON.parse(json) as PrivateMessage);
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

  keepCall(userId: string, holder: CallHolder): Promise<EndedCall | null> {
    return this.scripts.run<EndedCall>("keepCall", userId, holder.page, holder.connection);
  }
}
