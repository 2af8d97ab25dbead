// Private chat rules: busy and closed notices, only the two partners hear, a third party cannot act.
import { describe, expect, it } from "vitest";
import { record, request, waitFor, type Joined } from "./support/clients.js";
import { useServer } from "./support/harness.js";

const server = useServer({ SESSION_GRACE_MS: "500" });
const enter = server.enter;

/** Alice opens a private chat with Bob; both see it open. */
async function pair(alice: Joined, bob: Joined) {
  const bobOpened = waitFor(bob.socket, "private:opened");
  const aliceOpened = waitFor(alice.socket, "private:opened");
  const ack = await request(alice.socket, "private:open", { with: bob.session.user.id });
  expect(ack).toMatchObject({ ok: true, chat: { with: { id: bob.session.user.id, name: "Bob" } } });
  expect((await bobOpened).chat.with).toEqual(alice.session.user);
  expect((await aliceOpened).chat.with).toEqual(bob.session.user);
  return (await bobOpened).chat.id;
}

/** Alice and Bob in a private chat, Carol in the room beside them. */
async function pairedBesideCarol() {
  const alice = await enter("Alice");
  const bob = await enter("Bob");
  const carol = await enter("Carol");
  await pair(alice, bob);
  return { alice, bob, carol };
}

describe("private chat", () => {
  it("opens on both sides and shows both as busy to the room", async () => {
    const alice = await enter("Alice");
    const bob = await enter("Bob");
    const carol = await enter("Carol");
    const busy = record(carol.socket, "room:member-updated");
    // Listening before the pair opens: on a busy machine Bob's update can reach Carol before pair() returns.
    const bobBusy = waitFor(carol.socket, "room:member-updated", (d) => d.member.name === "Bob");
    await pair(alice, bob);
    await bobBusy;
    expect(busy.map((d) => [d.member.name, d.member.busy])).toEqual([
      ["Alice", true],
      ["Bob", true],
    ]);
  });

  it("tells a third person at once that the partner is busy, without disturbing the pair", async () => {
    const { alice, bob, carol } = await pairedBesideCarol();
    const disturbed = [record(alice.socket, "private:opened"), record(bob.socket, "private:closed")];
    const ack = await request(carol.socket, "private:open", { with: alice.session.user.id });
    expect(ack).toEqual({
      ok: false,
      error: { code: "partner_busy", message: "Alice is already talking with someone else" },
    });

    const heard = waitFor(alice.socket, "private:message");
    await request(bob.socket, "private:message", { text: "still us" });
    expect((await heard).text).toBe("still us");
    expect(disturbed.flat()).toEqual([]);
  });

  it("delivers private messages to both partners on every tab, and to nobody else", async () => {
    const { alice, bob, carol } = await pairedBesideCarol();
    const bobSecondTab = server.open({ token: bob.session.token });
    await waitFor(bobSecondTab, "private:opened");
    const carolHears = [record(carol.socket, "private:message"), record(carol.socket, "room:message")];

    const atBob = waitFor(bob.socket, "private:message");
    const atBobTab2 = waitFor(bobSecondTab, "private:message");
    const ack = await request(alice.socket, "private:message", { text: "just for you" });
    expect(ack).toMatchObject({
      ok: true,
      message: { id: 1, text: "just for you", from: alice.session.user },
    });
    expect((await atBob).text).toBe("just for you");
    expect((await atBobTab2).id).toBe(1);
    expect(carolHears.flat()).toEqual([]);
  });

  it("lets a third person neither inject messages nor typing into the pair", async () => {
    const { alice, bob, carol } = await pairedBesideCarol();
    const aliceGets = [record(alice.socket, "private:message"), record(alice.socket, "private:typing")];
    expect(await request(carol.socket, "private:message", { text: "let me in" })).toMatchObject({
      ok: false,
      error: { code: "no_private_chat" },
    });
    expect(await request(carol.socket, "private:typing", { typing: true })).toMatchObject({ ok: false });
    expect(
      await request(carol.socket, "private:message", {
        text: "x",
        chatId: "guess",
        to: alice.session.user.id,
      } as never),
    ).toMatchObject({ ok: false, error: { code: "message_invalid" } });
    const typing = waitFor(alice.socket, "private:typing");
    await request(bob.socket, "private:typing", { typing: true });
    expect((await typing).typing).toBe(true);
    expect(aliceGets[0]).toEqual([]);
    expect(aliceGets[1]).toHaveLength(1);
  });

  it("refuses a second chat and a chat with someone in another room", async () => {
    const alice = await enter("Alice");
    const bob = await enter("Bob");
    const carol = await enter("Carol");
    const dan = await enter("Dan", "SPORTS");
    expect(await request(alice.socket, "private:open", { with: dan.session.user.id })).toMatchObject({
      error: { code: "partner_unavailable" },
    });
    await pair(alice, bob);
    expect(await request(alice.socket, "private:open", { with: carol.session.user.id })).toMatchObject({
      error: { code: "already_in_chat" },
    });
  });

  it("tells the partner when the chat is closed, clears busy, and allows a new chat", async () => {
    const alice = await enter("Alice");
    const bob = await enter("Bob");
    const chatId = await pair(alice, bob);
    const closed = waitFor(bob.socket, "private:closed");
    const notBusy = waitFor(
      bob.socket,
      "room:member-updated",
      (d) => d.member.name === "Bob" && !d.member.busy,
    );
    expect(await request(alice.socket, "private:close", {})).toEqual({ ok: true });
    expect(await closed).toEqual({ chatId, by: alice.session.user, reason: "closed" });
    await notBusy;
    expect(await request(bob.socket, "private:message", { text: "hello?" })).toMatchObject({
      error: { code: "no_private_chat" },
    });
    await pair(alice, bob);
  });

  it.each([
    [
      "moves to another room",
      "left_room",
      (user: Joined) => request(user.socket, "room:join", { room: "SPORTS" }),
    ],
    ["logs out", "left", (user: Joined) => request(user.socket, "session:leave", {})],
    ["disconnects past the grace period", "timeout", async (user: Joined) => user.socket.disconnect()],
  ] as const)("closes the chat with a reason when the partner %s", async (_what, reason, act) => {
    const alice = await enter("Alice");
    const bob = await enter("Bob");
    await pair(alice, bob);
    const closed = waitFor(bob.socket, "private:closed");
    await act(alice);
    expect(await closed).toMatchObject({ by: alice.session.user, reason });
  });

  it("keeps the chat and its messages across a reload within the grace period", async () => {
    const alice = await enter("Alice");
    const bob = await enter("Bob");
    const chatId = await pair(alice, bob);
    await request(alice.socket, "private:message", { text: "one" });
    await request(bob.socket, "private:message", { text: "two" });
    const bobClosed = record(bob.socket, "private:closed");
    alice.socket.disconnect();
    const back = server.open({ token: alice.session.token });
    const reopened = await waitFor(back, "private:opened");
    expect(reopened.chat).toEqual({ id: chatId, with: bob.session.user });
    expect(reopened.messages.map((m) => m.text)).toEqual(["one", "two"]);
    await new Promise((resolve) => setTimeout(resolve, 700)); // past the grace period: nothing closes
    const heard = waitFor(back, "private:message");
    await request(bob.socket, "private:message", { text: "three" });
    expect((await heard).text).toBe("three");
    expect(bobClosed).toEqual([]);
  });
});
