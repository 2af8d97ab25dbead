// The pure parts of the message logs: grouping and day separators, joins collapsed per minute,
// reaction names, quotes that follow an edit or a delete, and the message Up arrow edits.
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "@videochat/protocol";
import { QUOTE_BYTES, quoteLine } from "@videochat/protocol/text";
import { notePresence, presenceText, type FeedEntry } from "../src/features/chat/feed";
import { layoutRows } from "../src/features/messages/feedLayout";
import { lastEditable, requote } from "../src/features/messages/messageActions";
import { reactionLabel } from "../src/features/messages/reactions";

const ana = { id: "u-ana", name: "Ana" };
const ben = { id: "u-ben", name: "Ben" };
const day1 = new Date(2025, 0, 2, 9, 0).getTime();
const day2 = new Date(2025, 0, 3, 9, 0).getTime();
const message = (
  id: number,
  from: typeof ana,
  at: number,
  extra: Partial<ChatMessage> = {},
): ChatMessage => ({
  id,
  room: "GENERAL",
  from,
  text: `text ${id}`,
  at,
  ...extra,
});

describe("message feed layout", () => {
  it("groups one author's messages within minutes, breaks on another author, a reply or a new day", () => {
    const messages = [
      message(1, ana, day1),
      message(2, ana, day1 + 60_000),
      message(3, ben, day1 + 120_000),
      message(4, ben, day1 + 180_000, { replyTo: { id: 1, from: ana, text: "text 1" } }),
      message(5, ben, day1 + 20 * 60_000),
      message(6, ben, day2),
    ];
    const rows = layoutRows(
      messages,
      (m) => `m${m.id}`,
      (m) => m.at,
      (m) => m,
      day2,
      "en",
    );
    const shown = (row: (typeof rows)[number]) =>
      row.kind === "day" ? row.label : `${row.key}${row.kind === "message" && row.grouped ? "+" : ""}`;
    expect(rows.map(shown)).toEqual(["Yesterday", "m1", "m2+", "m3", "m4", "m5", "Today", "m6"]);
  });

  it("collapses joins within a minute into one line, and words many people short", () => {
    let feed: FeedEntry[] = [];
    for (const [i, name] of ["Ana", "Ben", "Cy", "Di", "Ed"].entries())
      feed = notePresence(feed, "joined", name, day1 + i * 1000);
    feed = notePresence(feed, "joined", "Flo", day1 + 61_000);
    expect(feed).toHaveLength(2);
    const first = feed[0]!;
    expect(first.kind === "presence" && presenceText(first.verb, first.names, "en")).toBe(
      "Ana, Ben and 3 others joined",
    );
    expect(presenceText("left", ["Ana", "Ben", "Cy"], "en")).toBe("Ana, Ben, and Cy left");
  });

  it("names a reaction chip by emoji, count and people", () => {
    expect(reactionLabel({ emoji: "👍", users: [ana, ben] })).toBe("👍 2: Ana, Ben");
  });

  it("brings a reply's quote up to date when its original is edited or deleted", () => {
    const reply = message(2, ben, day1, { replyTo: { id: 1, from: ana, text: "old" } });
    expect(requote(reply, message(1, ana, day1, { text: "new\nmore" })).replyTo).toEqual({
      id: 1,
      from: ana,
      text: "new",
    });
    expect(requote(reply, message(1, ana, day1, { text: "", deleted: true })).replyTo).toEqual({
      id: 1,
      from: ana,
      text: "",
      deleted: true,
    });
    expect(requote(reply, message(9, ana, day1))).toBe(reply);
    // A live edit quotes what the Store keeps (and a reload shows): at most QUOTE_BYTES of the line.
    const long = `${"ä".repeat(150)}\nmore`;
    expect(requote(reply, message(1, ana, day1, { text: long })).replyTo?.text).toBe(quoteLine(long));
    expect(new TextEncoder().encode(quoteLine(long)).length).toBe(QUOTE_BYTES);
  });

  it("edits one's last message that is not deleted with the Up arrow", () => {
    const messages = [message(1, ana, day1), message(2, ana, day1, { deleted: true }), message(3, ben, day1)];
    expect(lastEditable(messages, ana.id)?.id).toBe(1);
    expect(lastEditable(messages, "nobody")).toBeUndefined();
  });
});
