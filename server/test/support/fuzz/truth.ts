// What really happened in one fuzz run, recorded beside the servers: every private chat and call the
// Store handed to any instance (the pairs that private and call events may reach), every message a
// client got an ok ack for, and every error an instance logged while it was not being killed.
import { pino, type Logger } from "pino";
import type { PrivateChatRecord, Store } from "../../../src/state/store.js";

export interface AckedMessage {
  room: string;
  id: number;
  text: string;
  /** Texts an edit sent without an ack coming back (lost, or none asked) may have left instead. */
  maybe?: string[];
  /** A delete was sent without an ack coming back: the message may be gone. */
  maybeDeleted?: boolean;
}

export class Truth {
  /** Chat id -> the ids of its two partners. Chat ids are random UUIDs: a pair never changes. */
  readonly chats = new Map<string, [string, string]>();
  /** Call id -> its chat id. */
  readonly calls = new Map<string, string>();
  /** Group call id -> everyone the Store ever had in it (the ones its events may reach). */
  readonly groupCalls = new Map<string, Set<string>>();
  readonly acked: AckedMessage[] = [];
  /** Room messages acked as deleted, with the text they had when acked (which must be gone). */
  readonly deleted: AckedMessage[] = [];
  /** Error lines logged by instance runs that were not being stopped or killed at the time. */
  readonly errors: string[] = [];
  /** Problems seen while the run went on (an unhandled rejection, an impossible ack). */
  readonly problems: string[] = [];

  /** An acked edit or delete of a room message: its text now, and what a delete must have removed. */
  changed(message: { room: string; id: number; text: string; deleted?: boolean }): void {
    const acked = this.acked.find((kept) => kept.room === message.room && kept.id === message.id);
    if (message.deleted && acked) this.deleted.push({ ...acked });
    if (acked) acked.text = message.text;
  }

  /**
   * A room:edit (`text`) or room:delete (`text` null) of message `id` whose ack never came (the
   * socket or its instance went away, or no ack was asked): the Store may have applied it.
   */
  mightHaveChanged(id: unknown, text: unknown): void {
    if (typeof id !== "number") return;
    for (const acked of this.acked.filter((kept) => kept.id === id)) {
      if (text === null) acked.maybeDeleted = true;
      else if (typeof text === "string") (acked.maybe ??= []).push(text, text.trim());
    }
  }

  private chat(record: PrivateChatRecord | null | undefined): void {
    if (!record) return;
    this.chats.set(record.id, [record.a.id, record.b.id]);
    if (record.call) this.calls.set(record.call.id, record.id);
  }

  /**
   * Wraps the Store methods whose answers the realtime handlers turn into private and call events,
   * so every chat and call that any event can concern is known before the event is emitted.
   */
  observe(store: Store): void {
    const wrap = (name: keyof Store, seen: (result: any, args: any[]) => void) => {
      const original = (store[name] as (...args: any[]) => Promise<unknown>).bind(store);
      (store as any)[name] = async (...args: any[]) => {
        const result = await original(...args);
        seen(result, args);
        return result;
      };
    };
    wrap("openPrivateChat", (result) => result.ok && this.chat(result.chat));
    wrap("getPrivateChat", (result) => this.chat(result));
    wrap("closePrivateChat", (result) => this.chat(result?.chat));
    wrap("moveToRoom", (result) => this.chat(result?.closedChat?.chat));
    wrap("changePrivateMessage", (result) => result.ok && this.chat(result.chat));
    wrap("startCall", (result, [chatId]) => result.ok && this.calls.set(result.call.id, chatId));
    const inGroupCall = (result: any) => {
      if (!result?.ok) return;
      const seen = this.groupCalls.get(result.call.id) ?? new Set<string>();
      for (const { id } of result.call.participants) seen.add(id);
      this.groupCalls.set(result.call.id, seen);
    };
    wrap("startGroupCall", inGroupCall);
    wrap("joinGroupCall", inGroupCall);
    wrap("takeMissedCalls", (missed) => {
      for (const { chat, callId } of missed) {
        this.chat(chat);
        this.calls.set(callId, chat.id);
      }
    });
  }

  /** A logger for one instance run: errors count unless `ending()` says the run is being stopped. */
  logger(instanceId: string, ending: () => boolean): Logger {
    return pino(
      { level: "error", base: { instanceId } },
      { write: (line: string) => void (ending() ? undefined : this.errors.push(line.trim())) },
    );
  }
}
