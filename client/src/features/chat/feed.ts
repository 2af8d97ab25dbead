// The room feed as plain values: messages merged by id, and the system lines that membership deltas read as.
import type { ChatMessage } from "@videochat/protocol";
import type { MemberDelta } from "../room/members";
import { t } from "../../i18n";

export type FeedEntry =
  | { kind: "message"; key: string; message: ChatMessage }
  | { kind: "system"; key: string; text: string; at: number };

/** Bounds memory in a long-open tab; the server keeps its own (shorter) history anyway. */
export const FEED_LIMIT = 500;

/**
 * Inserts messages in id order, skipping ids already present. Resumes and acks can deliver a message
 * twice or late; system lines keep their place relative to the messages around them.
 */
export function mergeMessages(feed: readonly FeedEntry[], messages: readonly ChatMessage[]): FeedEntry[] {
  const known = new Set(feed.flatMap((entry) => (entry.kind === "message" ? [entry.message.id] : [])));
  const merged = [...feed];
  for (const message of [...messages].sort((a, b) => a.id - b.id)) {
    if (known.has(message.id)) continue;
    known.add(message.id);
    const entry: FeedEntry = { kind: "message", key: `m${message.id}`, message };
    const later = merged.findIndex((e) => e.kind === "message" && e.message.id > message.id);
    if (later === -1) merged.push(entry);
    else merged.splice(later, 0, entry);
  }
  return merged.slice(-FEED_LIMIT);
}

let systemLineCount = 0;

export function appendSystemLine(feed: readonly FeedEntry[], text: string, at = Date.now()): FeedEntry[] {
  systemLineCount += 1;
  return [...feed, { kind: "system" as const, key: `s${systemLineCount}`, text, at }].slice(-FEED_LIMIT);
}

/** The highest message id in the feed, which a resuming socket asks the server to continue from. */
export function lastMessageId(feed: readonly FeedEntry[]): number | undefined {
  for (let i = feed.length - 1; i >= 0; i -= 1) {
    const entry = feed[i];
    if (entry?.kind === "message") return entry.message.id;
  }
  return undefined;
}

/**
 * How a membership change reads in the feed; null when it does not belong there. Status changes show
 * in the member list only: in the feed they drowned the conversation.
 */
export function systemLineFor(delta: MemberDelta): string | null {
  const name = delta.member.name;
  switch (delta.kind) {
    case "joined":
      return t("chat.joined", { name });
    case "left":
      if (delta.reason === "moved")
        return delta.to ? t("chat.movedTo", { name, room: delta.to }) : t("chat.left", { name });
      if (delta.reason === "timeout") return t("chat.timedOut", { name });
      return t("chat.left", { name });
    case "updated":
      return null;
  }
}

/** Local wall-clock time as HH:MM. */
export function clockTime(at: number): string {
  const date = new Date(at);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
