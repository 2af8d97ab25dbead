// Reloads and dropped connections within the grace period resume the session without flicker or loss.
import { describe, expect, it, vi } from "vitest";
import { createSession, record, request, waitFor } from "./support/clients.js";
import { useServer } from "./support/harness.js";

const server = useServer({ SESSION_GRACE_MS: "600", REAPER_INTERVAL_MS: "50" });
const enter = server.enter;

describe("session resume", () => {
  it("resumes name, room and status, with no left/joined for others, and delivers missed messages once", async () => {
    const alice = await enter("Alice", "SPORTS");
    const bob = await enter("Bob", "SPORTS");
    await request(alice.socket, "presence:set", { status: "absent" });
    const before = waitFor(alice.socket, "room:message", (m) => m.text === "before");
    await request(bob.socket, "room:message", { text: "before" });
    const lastSeen = (await before).id;

    const bobSees = {
      left: record(bob.socket, "room:member-left"),
      joined: record(bob.socket, "room:member-joined"),
    };
    alice.socket.disconnect();
    await request(bob.socket, "room:message", { text: "missed 1" });
    await request(bob.socket, "room:message", { text: "missed 2" });

    const back = server.open({
      token: alice.session.token,
      lastMessageId: lastSeen,
      lastRoom: "SPORTS",
    });
    const [ready, state] = await Promise.all([waitFor(back, "session:ready"), waitFor(back, "room:state")]);
    expect(ready).toMatchObject({
      user: alice.session.user,
      room: "SPORTS",
      status: "absent",
      resumed: true,
    });
    expect(state.history.map((m) => m.text)).toEqual(["missed 1", "missed 2"]);
    expect(state.members.find((m) => m.name === "Alice")?.status).toBe("absent");

    // Past the grace period, Alice is still there and Bob never saw her leave or come back: a bounded
    // wait for something that must not happen.
    await new Promise((resolve) => setTimeout(resolve, 900));
    const heard = waitFor(back, "room:message");
    await request(bob.socket, "room:message", { text: "after" });
    expect((await heard).text).toBe("after");
    expect(bobSees.left).toEqual([]);
    expect(bobSees.joined).toEqual([]);
  });

  it("gives a resuming tab the edits, deletes and reactions made meanwhile to messages it had", async () => {
    const alice = await enter("Alice", "SPORTS");
    const bob = await enter("Bob", "SPORTS");
    const said = async (text: string) => {
      const ack = await request(bob.socket, "room:message", { text });
      if (!ack.ok) throw new Error(ack.error.message);
      return ack.message as { id: number };
    };
    const secret = await said("a secret, soon deleted");
    const typo = await said("a tpyo");
    const liked = await said("like this");
    const last = waitFor(alice.socket, "room:message", (m) => m.text === "seen last");
    const lastSeen = (await said("seen last")).id;
    await last;

    alice.socket.disconnect();
    await request(bob.socket, "room:delete", { id: secret.id });
    await request(bob.socket, "room:edit", { id: typo.id, text: "a typo" });
    await request(bob.socket, "room:react", { id: liked.id, emoji: "👍" });
    await request(bob.socket, "room:message", { text: "missed" });

    const back = server.open({ token: alice.session.token, lastMessageId: lastSeen, lastRoom: "SPORTS" });
    const state = await waitFor(back, "room:state");
    const byId = new Map(state.history.map((m) => [m.id, m]));
    expect(byId.get(secret.id)).toMatchObject({ deleted: true, text: "" });
    expect(byId.get(typo.id)).toMatchObject({ text: "a typo" });
    expect(byId.get(liked.id)?.reactions).toEqual([{ emoji: "👍", users: [bob.session.user] }]);
    expect(state.history.some((m) => m.text === "missed")).toBe(true);
    // Unchanged messages it had are not sent again.
    expect(byId.has(lastSeen)).toBe(false);
  });

  it("releases the name and tells the room once the grace period passes", async () => {
    const alice = await enter("Alice");
    const bob = await enter("Bob");
    const left = waitFor(bob.socket, "room:member-left");
    const started = Date.now();
    alice.socket.disconnect();
    expect(await left).toMatchObject({ reason: "timeout", member: { name: "Alice" } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    const expired = server.open({ token: alice.session.token });
    const error = await new Promise<Error>((resolve) => expired.once("connect_error", resolve));
    expect(error.message).toBe("session_unknown");
    expect((await createSession(server.url, "alice")).user.name).toBe("alice");
  });

  it("ends the session at once on leave", async () => {
    const alice = await enter("Alice");
    const bob = await enter("Bob");
    const left = waitFor(bob.socket, "room:member-left");
    const closed = new Promise((resolve) => alice.socket.once("disconnect", resolve));
    expect(await request(alice.socket, "session:leave", {})).toEqual({ ok: true });
    expect(await left).toMatchObject({ reason: "left", member: { name: "Alice" } });
    await closed;
    expect((await createSession(server.url, "ALICE")).user.name).toBe("ALICE");
  });

  it("expires a session whose tab never connected", async () => {
    await createSession(server.url, "Ghost");
    const again = await vi.waitFor(() => createSession(server.url, "Ghost"), {
      timeout: 10_000,
      interval: 100,
    });
    expect(again.user.name).toBe("Ghost");
  });
});
