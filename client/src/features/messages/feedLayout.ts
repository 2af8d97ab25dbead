// How a log reads: a separator where the day changes, and runs of one author's messages grouped (one
// avatar and name for messages less than GROUP_GAP_MS apart), as in Slack and Discord. Pure.
import type { AnyMessage } from "./messageActions";
import { t } from "../../i18n";

/** Messages of one author closer than this are grouped under one header. */
export const GROUP_GAP_MS = 5 * 60_000;

/** What a log shows of an entry: a message (grouped or not), or any other line it keeps. */
export type Row<E> =
  | { kind: "day"; key: string; label: string; at: number }
  | { kind: "message"; key: string; message: AnyMessage; grouped: boolean }
  | { kind: "other"; key: string; entry: E };

const dayOf = (at: number) => new Date(at).toDateString();

/** "Today", "Yesterday", or the date in the page's language ("Monday, 7 December"). */
export function dayLabel(at: number, now = Date.now(), locale?: string): string {
  const today = new Date(now);
  const yesterday = new Date(now);
  yesterday.setDate(today.getDate() - 1);
  if (dayOf(at) === today.toDateString()) return t("message.today");
  if (dayOf(at) === yesterday.toDateString()) return t("message.yesterday");
  const sameYear = new Date(at).getFullYear() === today.getFullYear();
  return new Date(at).toLocaleDateString(locale, {
    weekday: "long",
    day: "numeric",
    month: "long",
    ...(sameYear ? {} : { year: "numeric" }),
  });
}

/**
 * The rows of a log of `entries`: `messageOf` says which entries are messages, `atOf` when each was.
 * A day separator goes before the first entry of each day; a message follows its author's previous
 * one without a header when nothing else came between, within GROUP_GAP_MS, and it is not a reply.
 */
export function layoutRows<E>(
  entries: readonly E[],
  keyOf: (entry: E) => string,
  atOf: (entry: E) => number,
  messageOf: (entry: E) => AnyMessage | null,
  now = Date.now(),
  locale?: string,
): Row<E>[] {
  const rows: Row<E>[] = [];
  let day: string | null = null;
  let previous: AnyMessage | null = null;
  for (const entry of entries) {
    const at = atOf(entry);
    if (dayOf(at) !== day) {
      day = dayOf(at);
      rows.push({ kind: "day", key: `day-${day}`, label: dayLabel(at, now, locale), at });
      previous = null;
    }
    const message = messageOf(entry);
    if (!message) {
      rows.push({ kind: "other", key: keyOf(entry), entry });
      previous = null;
      continue;
    }
    const grouped =
      !!previous &&
      previous.from.id === message.from.id &&
      !message.replyTo &&
      message.at - previous.at < GROUP_GAP_MS;
    rows.push({ kind: "message", key: keyOf(entry), message, grouped });
    previous = message;
  }
  return rows;
}
