import { describe, expect, it } from "vitest";
import { createSession, record, request, waitFor } from "./support/clients.js";
import { useServer } from "./support/harness.js";

const server = useServer();
const enter = server.enter;

describe("rooms, presence and chat", () => {
  it("gives a newcomer the member list and recent history, and tells the room", async () => {
    const alice = await enter("Alice");
    expect(alice.ready).toMatchObject({
      user: { name: "Alice" },
      room: "GENERAL",
      status: "online",
      resumed: false,
    });
    expect(alice.state.members).toEqual([
      { id: alice.session.user.id, name: "Alice", status: "online", busy: false },
    ]);
    await request(alice.socket, "room:message", { text: "first!" });

    const joined = waitFor(alice.socket, "room:member-joined", (delta) => delta.member.name === "Bob");
    const bob = await enter("Bob");
    expect((await joined).room).toBe("GENERAL");
    expect(bob.state.members.map((m) => m.name).sort()).toEqual(["Alice", "Bob"]);
    expect(bob.state.history.map((m) => [m.from.name, m.text])).toEqual([["Alice", "first!"]]);
  });

  it("delivers room messages with a server id and time to everyone in the room, and nobody else", async () => {
    const alice = await enter("Alice");
    const bob = await enter("Bob");
    const carol = await enter("Carol", "SPORTS");
    const carolHears = record(carol.socket, "room:message");

    const atBob = waitFor(bob.socket, "room:message");
    const ack = await request(alice.socket, "room:message", { text: "  hello room \n" });
    expect(ack.ok).toBe(true);
    const message = await atBob;
    expect(message).toMatchObject({
      room: "GENERAL",
      text: "hello room",
      from: { id: alice.session.user.id, name: "Alice" },
    });
    expect(message.id).toBeGreaterThan(0);
    expect(Math.abs(message.at - Date.now())).toBeLessThan(5_000);
    await request(carol.socket, "room:message", { text: "sports only" });
    expect(carolHears.map((m) => m.text)).toEqual(["sports only"]);
  });

  it("shows a status change to the room as an update", async () => {
    const alice = await enter("Alice");
    const bob = await enter("Bob");
    const update = waitFor(bob.socket, "room:member-updated");
    expect(await request(alice.socket, "presence:set", { status: "unavailable" })).toEqual({
      ok: true,
      status: "unavailable",
    });
    expect((await update).member).toEqual({
      id: alice.session.user.id,
      name: "Alice",
      status: "unavailable",
      busy: false,
    });
  });

  it("moves a user between rooms, telling both rooms and the counts' watchers", async () => {
    const alice = await enter("Alice");
    const bob = await enter("Bob");
    const carol = await enter("Carol", "SPORTS");
    expect((await request(bob.socket, "rooms:watch", { watch: true })).ok).toBe(true);
    const bobSeesLeave = waitFor(bob.socket, "room:member-left");
    const carolSeesJoin = waitFor(carol.socket, "room:member-joined");
    const occupancy = waitFor(
      bob.socket,
      "rooms:occupancy",
      ({ rooms }) => rooms.find((r) => r.name === "SPORTS")?.count === 2,
    );
    const newState = waitFor(alice.socket, "room:state");

    expect(await request(alice.socket, "room:join", { room: "SPORTS" })).toEqual({
      ok: true,
      room: "SPORTS",
    });
    expect(await bobSeesLeave).toMatchObject({
      room: "GENERAL",
      reason: "moved",
      to: "SPORTS",
      member: { name: "Alice" },
    });
    expect((await carolSeesJoin).member.name).toBe("Alice");
    expect((await newState).members.map((m) => m.name).sort()).toEqual(["Alice", "Carol"]);
    // Only the two rooms whose count changed, each with the membership version it was read at.
    expect((await occupancy).rooms).toEqual([
      { name: "GENERAL", count: 1, version: expect.any(Number) },
      { name: "SPORTS", count: 2, version: expect.any(Number) },
    ]);

    // The old room no longer hears Alice, the new one does.
    const carolHears = waitFor(carol.socket, "room:message");
    const bobHears = record(bob.socket, "room:message");
    await request(alice.socket, "room:message", { text: "hi sports" });
    expect((await carolHears).text).toBe("hi sports");
    expect(bobHears).toEqual([]);
  });

  it("serves a long-polling-only client as well as a WebSocket one", async () => {
    const alice = await enter("Alice");
    const session = await createSession(server.url, "Polly");
    const polly = server.open({ token: session.token }, { transports: ["polling"] });
    try {
      const [ready, state] = await Promise.all([
        waitFor(polly, "session:ready"),
        waitFor(polly, "room:state"),
      ]);
      expect(ready.user.name).toBe("Polly");
      expect(state.members.map((m) => m.name).sort()).toEqual(["Alice", "Polly"]);
      const heard = waitFor(polly, "room:message");
      await request(alice.socket, "room:message", { text: "over polling" });
      expect((await heard).text).toBe("over polling");
      expect(polly.io.engine.transport.name).toBe("polling");
    } finally {
      polly.disconnect();
    }
  });

  it("refuses a room that is not configured", async () => {
    const alice = await enter("Alice");
    const ack = await request(alice.socket, "room:join", { room: "SECRET" });
    expect(ack).toEqual({
      ok: false,
      error: { code: "unknown_room", message: "There is no room called SECRET." },
    });
  });

  it("rate-limits a flood of messages per user, with an error ack", async () => {
    await server.restart({ MESSAGE_RATE_PER_10S: "5" });
    const alice = await enter("Alice");
    const acks = [];
    for (let i = 0; i < 7; i++) acks.push(await request(alice.socket, "room:message", { text: `m${i}` }));
    expect(acks.filter((ack) => ack.ok)).toHaveLength(5);
    expect(acks.at(-1)).toMatchObject({ ok: false, error: { code: "rate_limited" } });
  });
});
