// The room feed as plain values: messages merged by id, and the system lines that membership deltas read as.
import type { ChatMessage } from "@videochat/protocol";
import type { MemberDelta } from "../room/members";
import { i18n, t } from "../../i18n";
import { requote } from "../messages/messageActions";

export type FeedEntry =
  | { kind: "message"; key: string; message: ChatMessage }
  | { kind: "system"; key: string; text: string; at: number }
  /** Joins (or leaves) within PRESENCE_WINDOW_MS, collapsed into one line: "Ana, Ben and 3 others joined". */
  | { kind: "presence"; key: string; verb: "joined" | "left"; names: string[]; at: number };

/** Joins or leaves closer than this to the line's first one are added to it. */
export const PRESENCE_WINDOW_MS = 60_000;

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

/**
 * The feed with `message` in place of the kept one of its id (an edit, a delete, a reaction), and the
 * quotes of it in replies brought up to date.
 */
export function replaceMessage(feed: readonly FeedEntry[], message: ChatMessage): FeedEntry[] {
  return feed.map((entry) => {
    if (entry.kind !== "message") return entry;
    if (entry.message.id === message.id) return { ...entry, message };
    const requoted = requote(entry.message, message);
    return requoted === entry.message ? entry : { ...entry, message: requoted };
  });
}

/**
 * Adds `name` to the feed's last line of the same `verb` when it is the newest entry and began less
 * than PRESENCE_WINDOW_MS ago; else starts a new line.
 */
export function notePresence(
  feed: readonly FeedEntry[],
  verb: "joined" | "left",
  name: string,
  at = Date.now(),
): FeedEntry[] {
  const last = feed.at(-1);
  if (last?.kind === "presence" && last.verb === verb && at - last.at < PRESENCE_WINDOW_MS) {
    const names = [...last.names.filter((n) => n !== name), name];
    return [...feed.slice(0, -1), { ...last, names }];
  }
  systemLineCount += 1;
  const line: FeedEntry = { kind: "presence", key: `s${systemLineCount}`, verb, names: [name], at };
  return [...feed, line].slice(-FEED_LIMIT);
}

/** "Ana joined", "Ana, Ben and Cy joined", "Ana, Ben and 3 others joined" in the page's language. */
export function presenceText(
  verb: "joined" | "left",
  names: readonly string[],
  locale: string = i18n.global.locale.value,
): string {
  const list = (items: string[]) =>
    new Intl.ListFormat(locale, { style: "long", type: "conjunction" }).format(items);
  const shown =
    names.length <= 3
      ? list([...names])
      : t(
          "message.andOthers",
          { names: names.slice(0, 2).join(", "), n: names.length - 2 },
          names.length - 2,
        );
  return t(verb === "joined" ? "message.joinedMany" : "message.leftMany", { names: shown });
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
