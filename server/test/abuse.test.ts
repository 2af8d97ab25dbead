// Bad input and impersonation: errors come back as acks, nobody else is disturbed, nothing is corrupted.
import { io as connect } from "socket.io-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  closeAll,
  join,
  openSocket,
  record,
  request,
  waitFor,
  type ClientSocket,
  type Joined,
} from "./support/clients.js";
import { startServer, type TestServer } from "./support/server.js";

let server: TestServer;
let alice: Joined;
let bob: Joined;
beforeEach(async () => {
  server = await startServer();
  alice = await join(server.url, "Alice");
  bob = await join(server.url, "Bob");
});
afterEach(async () => {
  closeAll(alice.socket, bob.socket);
  await server.close();
});

type Raw = {
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<any> };
  emit(event: string, ...args: unknown[]): void;
};
const raw = (socket: ClientSocket) => socket as unknown as Raw;

/** After abuse, the room still works for everyone: Bob's message reaches Alice. */
async function roomStillServes() {
  const heard = waitFor(alice.socket, "room:message", (m) => m.text === "still here");
  expect((await request(bob.socket, "room:message", { text: "still here" })).ok).toBe(true);
  await heard;
}

const events = ["room:join", "room:message", "presence:set", "session:leave"];
const malformed: [string, unknown][] = [
  ["a string", "hello"],
  ["a number", 42],
  ["null", null],
  ["an array", ["GENERAL"]],
  ["wrong field types", { room: 7, text: 7, status: 7 }],
  [
    "a __proto__ key",
    JSON.parse('{"__proto__": {"polluted": true}, "room": "GENERAL", "text": "x", "status": "online"}'),
  ],
  ["a constructor key", { constructor: { prototype: { polluted: true } } }],
];

describe("malformed payloads", () => {
  for (const event of events) {
    it(`${event} answers every malformed payload with an error ack`, async () => {
      for (const [what, payload] of malformed) {
        const ack = await raw(alice.socket).timeout(2_000).emitWithAck(event, payload);
        expect(ack, `${event} with ${what}`).toMatchObject({
          ok: false,
          error: { code: expect.any(String), message: expect.any(String) },
        });
        expect(["invalid_payload", "message_invalid"]).toContain(ack.error.code);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      await roomStillServes();
    });
  }

  it("answers a missing field and an empty or overlong message with a clear message", async () => {
    expect(await raw(alice.socket).timeout(2_000).emitWithAck("room:join", {})).toMatchObject({
      ok: false,
      error: { code: "invalid_payload", message: expect.stringContaining("room") },
    });
    expect(await request(alice.socket, "room:message", { text: "   " })).toMatchObject({
      error: { code: "message_invalid", message: "text: A message cannot be empty" },
    });
    expect(await request(alice.socket, "room:message", { text: "x".repeat(2001) })).toMatchObject({
      error: { code: "message_invalid", message: "text: A message is at most 2000 characters" },
    });
    expect((await request(alice.socket, "room:message", { text: "é".repeat(2000) })).ok).toBe(true);
  });

  it("refuses events it does not know with an error ack, whatever their name", async () => {
    for (const event of ["unknown:event", "constructor", "__proto__", "toString", "disconnect:now"]) {
      const ack = await raw(alice.socket).timeout(2_000).emitWithAck(event, { room: "GENERAL" });
      expect(ack, event).toEqual({
        ok: false,
        error: { code: "invalid_payload", message: "There is no such event." },
      });
    }
    await roomStillServes();
  });

  it("ignores events without an ack callback and keeps serving", async () => {
    raw(alice.socket).emit("room:message", { text: "no ack" });
    raw(alice.socket).emit("room:join");
    raw(alice.socket).emit("unknown:event", { x: 1 });
    await roomStillServes();
    expect(alice.socket.connected).toBe(true);
  });

  it("drops the connection of a client that sends 100 KB, keeps its session, and keeps serving others", async () => {
    const dropped = new Promise<void>((resolve) => alice.socket.once("disconnect", () => resolve()));
    raw(alice.socket).emit("room:message", { text: "x".repeat(100 * 1024) }, () => {});
    await dropped;
    // Bob is still served.
    expect((await request(bob.socket, "presence:set", { status: "absent" })).ok).toBe(true);
    // The session survived: reconnecting with the same token resumes it, and the room reaches it.
    const again = openSocket(server.url, { token: alice.session.token });
    const ready = await waitFor(again, "session:ready");
    expect(ready).toMatchObject({ user: { name: "Alice" }, resumed: true });
    const heard = waitFor(again, "room:message", (m) => m.text === "welcome back");
    await request(bob.socket, "room:message", { text: "welcome back" });
    await heard;
    again.disconnect();
  });
});

describe("text that renders as nothing", () => {
  const invisible: [string, string][] = [
    ["U+200B ZERO WIDTH SPACE", "\u200B\u200B\u200B"],
    ["U+2060 WORD JOINER", "\u2060"],
    ["U+2800 BRAILLE PATTERN BLANK", "\u2800\u2800"],
    ["U+3164 HANGUL FILLER", "\u3164"],
    ["all of them with spaces", " \u200B\u2060 \u2800\n\u3164 "],
  ];
  const refused = {
    ok: false,
    error: { code: "message_invalid", message: "text: A message cannot be only invisible characters" },
  };

  /** Sends every invisible text as `event`, then a visible one that `listener` hears as the first and only. */
  async function refusedAndNotBroadcast(event: "room:message" | "private:message", listener: ClientSocket) {
    const heard = record(listener, event);
    for (const [what, text] of invisible)
      expect(await request(alice.socket, event, { text }), `${event} of ${what}`).toMatchObject(refused);
    const visible = waitFor(listener, event, (m) => m.text === "visible");
    expect((await request(alice.socket, event, { text: "visible" })).ok).toBe(true);
    await visible;
    expect(heard.map((m) => m.text)).toEqual(["visible"]);
  }

  it("refuses room messages of only invisible characters and broadcasts none", async () => {
    await refusedAndNotBroadcast("room:message", bob.socket);
  });

  it("refuses private messages of only invisible characters and delivers none", async () => {
    const opened = waitFor(bob.socket, "private:opened");
    expect((await request(alice.socket, "private:open", { with: bob.session.user.id })).ok).toBe(true);
    await opened;
    await refusedAndNotBroadcast("private:message", bob.socket);
  });
});

describe("identity comes from the session", () => {
  it("rejects payload fields that name another user or room", async () => {
    const asBob = await request(alice.socket, "room:message", {
      text: "I am Bob",
      from: { id: bob.session.user.id, name: "Bob" },
    } as never);
    expect(asBob).toMatchObject({ ok: false, error: { code: "message_invalid" } });
    const otherRoom = await request(alice.socket, "room:message", { text: "x", room: "SPORTS" } as never);
    expect(otherRoom.ok).toBe(false);
    const otherUser = await request(alice.socket, "presence:set", {
      status: "absent",
      userId: bob.session.user.id,
    } as never);
    expect(otherUser.ok).toBe(false);

    const heard = waitFor(bob.socket, "room:message");
    await request(alice.socket, "room:message", { text: "who am I" });
    expect((await heard).from).toEqual({ id: alice.session.user.id, name: "Alice" });
  });

  it("refuses a handshake without a valid session token", async () => {
    for (const auth of [{}, { token: "x".repeat(43) }, { token: 12 }]) {
      const socket = connect(server.url, {
        auth,
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
      });
      const error = await new Promise<Error & { data?: unknown }>((resolve) =>
        socket.once("connect_error", resolve),
      );
      expect(error.message).toBe("session_unknown");
      socket.disconnect();
    }
  });

  it("refuses a handshake from a foreign origin", async () => {
    const socket = connect(server.url, {
      auth: { token: alice.session.token },
      transports: ["polling"],
      extraHeaders: { origin: "https://evil.example" },
      reconnection: false,
      forceNew: true,
    });
    const error = await new Promise<Error>((resolve) => socket.once("connect_error", resolve));
    expect(error).toBeInstanceOf(Error);
    expect(socket.connected).toBe(false);
    socket.disconnect();
  });
});
