// @vitest-environment happy-dom
// The real socket module against a bare Socket.IO server on a free port: acks come back as values,
// a silent server becomes a timeout error, and the connection state follows the socket.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as socketModuleType from "../src/features/session/socket";

type SocketModule = typeof socketModuleType;
let io: Server;
let client: SocketModule;

beforeAll(async () => {
  const http = createServer();
  io = new Server(http);
  io.on("connection", (socket) => {
    socket.on("room:join", (payload: { room: string }, ack: (r: unknown) => void) => {
      ack(
        payload.room === "NOPE"
          ? { ok: false, error: { code: "unknown_room", message: "No such room." } }
          : { ok: true, room: payload.room },
      );
    });
    socket.on("presence:set", (_payload: unknown, ack: (r: unknown) => void) => {
      ack({ ok: false, error: { code: "session_unknown", message: "Your session has ended. Join again." } });
    });
    socket.on("room:message", () => {
      // never acknowledges: the client must give up on its own
    });
    socket.on("private:message", (_payload: unknown, ack: (r: unknown) => void) => {
      ack({ ok: false, error: { code: "rate_limited", message: "Slow down.", retryAfterMs: 2_100 } });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  // The socket connects to the page's origin, so the page must live on the test server.
  (window as any).happyDOM.setURL(`http://127.0.0.1:${port}/room/LOBBY`);
  client = await import("../src/features/session/socket");
});

afterAll(async () => {
  client.socket.disconnect();
  await io.close();
});

describe("socket requests", () => {
  it("refuses at once while offline instead of queueing the event", async () => {
    const ack = await client.request("room:join", { room: "SPORTS" });
    expect(ack).toEqual({ ok: false, error: { code: "offline", message: expect.any(String) } });
  });

  it("connects with the per-tab id in the query and resolves acks as values", async () => {
    client.setHandshake(() => ({ token: "t-1" }));
    const connected = new Promise<void>((resolve) => client.socket.once("connect", () => resolve()));
    client.socket.connect();
    await connected;
    expect(client.connectionState.value).toBe("connected");
    const [serverSide] = await io.fetchSockets();
    expect(serverSide?.handshake.query.tab).toBe(sessionStorage.getItem("videochat.tab"));
    // The page id is this page load's: the same at every reconnect, not kept in the tab's storage.
    const { pageId } = await import("../src/features/session/tabStorage");
    expect(serverSide?.handshake.auth).toEqual({ token: "t-1", page: pageId });
    expect(pageId).toMatch(/^[0-9a-f]{32}$/);
    expect(Object.values({ ...sessionStorage })).not.toContain(pageId);

    expect(await client.request("room:join", { room: "SPORTS" })).toEqual({ ok: true, room: "SPORTS" });
    expect(await client.request("room:join", { room: "NOPE" })).toEqual({
      ok: false,
      error: { code: "unknown_room", message: "No such room." },
    });
  });

  it("reports a session the server no longer knows, whichever request found out", async () => {
    let lost = 0;
    client.setSessionLostHandler(() => (lost += 1));
    const ack = await client.request("presence:set", { status: "absent" });
    expect(ack.ok).toBe(false);
    expect(lost).toBe(1);
  });

  it("words a rate limit's wait in plain words, from its retryAfterMs", async () => {
    expect(await client.request("private:message", { text: "again" })).toEqual({
      ok: false,
      error: {
        code: "rate_limited",
        message: "You are sending too fast. Try again in 3 s.",
        retryAfterMs: 2_100,
      },
    });
    expect(client.waitText(400)).toBe("You are sending too fast. Try again in 1 s.");
    expect(client.waitText(120_000)).toBe("You are sending too fast. Try again in 2 min.");
  });

  it("turns a missing ack into a timeout error", async () => {
    const ack = await client.request("room:message", { text: "hello" }, 200);
    expect(ack).toEqual({
      ok: false,
      error: { code: "timeout", message: "No answer from the server. Try again." },
    });
  });

  it("is reconnecting while the connection is lost, and connected again after", async () => {
    const dropped = new Promise<void>((resolve) => client.socket.once("disconnect", () => resolve()));
    const back = new Promise<void>((resolve) => client.socket.once("connect", () => resolve()));
    for (const socket of io.of("/").sockets.values()) socket.conn.close(); // like a network cut
    await dropped;
    expect(client.connectionState.value).toBe("reconnecting");
    await back;
    expect(client.connectionState.value).toBe("connected");
  });

  it("is disconnected when the server closes the socket on purpose (socket.io-client does not retry)", async () => {
    const dropped = new Promise<void>((resolve) => client.socket.once("disconnect", () => resolve()));
    io.disconnectSockets();
    await dropped;
    expect(client.connectionState.value).toBe("disconnected");
  });
});
