// Edits, deletes, reactions and replies over the socket: validated, author-checked from the socket's
// identity, broadcast to the room (or both partners), and seen in the history of later joiners; a
// private chat reopened with the same person shows the pair's earlier messages.
import { describe, expect, it } from "vitest";
import type { ChatMessage, PrivateMessage } from "@videochat/protocol";
import { record, request, waitFor, type Joined } from "./support/clients.js";
import { useServer } from "./support/harness.js";

const server = useServer();
const enter = server.enter;

async function say(user: Joined, text: string, replyTo?: number): Promise<ChatMessage> {
  const ack = await request(user.socket, "room:message", { text, ...(replyTo ? { replyTo } : {}) });
  if (!ack.ok) throw new Error(ack.error.message);
  return ack.message as ChatMessage;
}

describe("message changes", () => {
  it("validates every new event's payload", async () => {
    const ana = await enter("Ana");
    const { id } = await say(ana, "hello");
    const refusals: [Parameters<typeof request>[1], object, string][] = [
      ["room:react", { id, emoji: "abc" }, "invalid_payload"],
      ["room:react", { id, emoji: "👍", from: "someone" }, "invalid_payload"],
      ["room:react", { id: "1", emoji: "👍" }, "invalid_payload"],
      ["room:delete", { id: -1 }, "invalid_payload"],
      ["room:edit", { id, text: "   " }, "message_invalid"],
      ["room:edit", { id, text: "x".repeat(2001) }, "message_invalid"],
      ["private:edit", { id, text: "\u200b" }, "message_invalid"],
      ["private:react", { id, emoji: "👍👍".repeat(10) }, "invalid_payload"],
      ["private:delete", {}, "invalid_payload"],
      ["room:message", { text: "hi", replyTo: 0 }, "message_invalid"],
      // A lone UTF-16 surrogate cannot be stored as UTF-8: Redis's cjson refuses to decode it, so one
      // kept reply holding it would make every later edit or delete in its room fail.
      ["room:message", { text: "hi \ud800" }, "message_invalid"],
      ["room:edit", { id, text: "\udc00 there" }, "message_invalid"],
      ["private:message", { text: "a\ud83d" }, "message_invalid"],
      ["private:edit", { id, text: "\ud83d" }, "message_invalid"],
      ["file:offer", { fileId: "file-0001", name: "a\ud800.txt", size: 1, type: "" }, "invalid_payload"],
    ];
    for (const [event, payload, code] of refusals) {
      const ack = await request(ana.socket, event, payload as never);
      expect(ack, `${event} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code } });
    }
    for (const emoji of ["👍", "🇪🇸", "1️⃣", "👩🏽‍💻", "❤️"])
      expect(await request(ana.socket, "room:react", { id, emoji })).toMatchObject({ ok: true });
    // One spelling per emoji: a redundant VS16 toggles the same reaction off.
    const off = await request(ana.socket, "room:react", { id, emoji: "👍\uFE0F" });
    expect((off.message as ChatMessage).reactions!.map((r) => r.emoji)).toEqual(["🇪🇸", "1️⃣", "👩🏽‍💻", "❤️"]);
  });

  it("reacts, replies, edits and deletes for the whole room; only the author edits and deletes", async () => {
    const ana = await enter("Ana");
    const ben = await enter("Ben");
    const original = await say(ana, "first line\nsecond");
    const changed = record(ben.socket, "room:message-changed");

    const reacted = waitFor(ben.socket, "room:message-changed");
    expect(await request(ana.socket, "room:react", { id: original.id, emoji: "👍" })).toMatchObject({
      ok: true,
    });
    expect((await reacted).reactions).toEqual([{ emoji: "👍", users: [ana.session.user] }]);

    const reply = await say(ben, "answer", original.id);
    expect(reply.replyTo).toEqual({ id: original.id, from: ana.session.user, text: "first line" });

    expect(await request(ben.socket, "room:edit", { id: original.id, text: "mine now" })).toMatchObject({
      ok: false,
      error: { code: "not_author", message: "Only the author of a message can edit or delete it." },
    });
    expect(await request(ben.socket, "room:delete", { id: original.id })).toMatchObject({
      ok: false,
      error: { code: "not_author" },
    });

    const edited = waitFor(ben.socket, "room:message-changed", (m) => m.text === "  fixed  ".trim());
    expect(await request(ana.socket, "room:edit", { id: original.id, text: "  fixed  " })).toMatchObject({
      ok: true,
      message: { text: "fixed", editedAt: expect.any(Number) },
    });
    await edited;

    const deleted = waitFor(ben.socket, "room:message-changed", (m) => !!m.deleted);
    await request(ana.socket, "room:delete", { id: original.id });
    expect(await deleted).toMatchObject({ id: original.id, text: "", deleted: true });
    expect(changed.map((m) => m.id)).toEqual([original.id, original.id, original.id]);

    const late = await enter("Cy");
    const history = late.state.history;
    expect(history.find((m) => m.id === original.id)).toMatchObject({ text: "", deleted: true });
    expect(history.find((m) => m.id === reply.id)!.replyTo).toEqual({
      id: original.id,
      from: ana.session.user,
      text: "",
      deleted: true,
    });
    expect(JSON.stringify(history)).not.toContain("first line");
  });

  it("refuses changes from someone in another room, and caps distinct reactions", async () => {
    const ana = await enter("Ana");
    const cy = await enter("Cy", "SPORTS");
    const { id } = await say(ana, "vote");
    expect(await request(cy.socket, "room:react", { id, emoji: "👍" })).toMatchObject({
      ok: false,
      error: { code: "no_message" },
    });
    const emoji = [..."😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙🥲😚🙂🤗"];
    for (const e of emoji.slice(0, 20)) await request(ana.socket, "room:react", { id, emoji: e });
    expect(await request(ana.socket, "room:react", { id, emoji: emoji[20]! })).toEqual({
      ok: false,
      error: { code: "too_many_reactions", message: "A message can have at most 20 different reactions." },
    });
  });

  it("changes private messages for both partners only, and shows the pair's history when reopened", async () => {
    const ana = await enter("Ana");
    const ben = await enter("Ben");
    const cy = await enter("Cy");
    const opened = waitFor(ben.socket, "private:opened");
    await request(ana.socket, "private:open", { with: ben.session.user.id });
    await opened;
    const hi = (await request(ana.socket, "private:message", { text: "hi Ben" })).message as PrivateMessage;
    const re = await request(ben.socket, "private:message", { text: "hey", replyTo: hi.id });
    expect((re.message as PrivateMessage).replyTo).toMatchObject({ id: hi.id, text: "hi Ben" });

    const overheard = record(cy.socket, "private:message-changed");
    const seen = waitFor(ben.socket, "private:message-changed");
    await request(ana.socket, "private:edit", { id: hi.id, text: "hi Ben!" });
    expect(await seen).toMatchObject({ id: hi.id, text: "hi Ben!", editedAt: expect.any(Number) });
    expect(await request(ben.socket, "private:delete", { id: hi.id })).toMatchObject({
      ok: false,
      error: { code: "not_author" },
    });
    expect(await request(cy.socket, "private:react", { id: hi.id, emoji: "👍" })).toMatchObject({
      ok: false,
      error: { code: "no_private_chat" },
    });

    const closed = waitFor(ben.socket, "private:closed");
    await request(ana.socket, "private:close", {});
    await closed;
    const reopened = waitFor(ana.socket, "private:opened");
    await request(ben.socket, "private:open", { with: ana.session.user.id });
    expect((await reopened).messages.map((m) => m.text)).toEqual(["hi Ben!", "hey"]);
    expect(overheard).toEqual([]);
  });
});
