// Call rules inside a private chat: ringing, timeout, decline, accept, relay only between partners.
import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import {
  closeAll,
  join,
  record,
  request,
  waitFor,
  type ClientSocket,
  type Joined,
} from "./support/clients.js";
import { loadConfig } from "../src/config.js";
import { startServer, type TestServer } from "./support/server.js";

let server: TestServer | undefined;
const sockets: ClientSocket[] = [];
afterEach(async () => {
  closeAll(...sockets);
  sockets.length = 0;
  await server?.close();
});

async function setup(env: Record<string, string> = {}) {
  server = await startServer({ CALL_RING_TIMEOUT_MS: "400", ...env });
  const users: Joined[] = [];
  for (const name of ["Alice", "Bob", "Carol"]) {
    const user = await join(server.url, name);
    sockets.push(user.socket);
    users.push(user);
  }
  const [alice, bob, carol] = users as [Joined, Joined, Joined];
  const opened = waitFor(bob.socket, "private:opened");
  await request(alice.socket, "private:open", { with: bob.session.user.id });
  await opened;
  return { alice, bob, carol };
}

async function ring(alice: Joined, bob: Joined) {
  const incoming = waitFor(bob.socket, "call:incoming");
  const ack = await request(alice.socket, "call:invite", {});
  expect(ack).toMatchObject({ ok: true, call: { state: "ringing", callerId: alice.session.user.id } });
  const { call, from } = await incoming;
  expect(from).toEqual(alice.session.user);
  return call.id;
}

describe("calls", () => {
  it("rings the partner and ends as missed on both sides after the ring timeout", async () => {
    const { alice, bob } = await setup();
    const callId = await ring(alice, bob);
    const lines = [alice, bob].map((user) =>
      waitFor(user.socket, "private:message", (m) => m.call === "missed"),
    );
    const [atAlice, atBob] = await Promise.all([
      waitFor(alice.socket, "call:ended"),
      waitFor(bob.socket, "call:ended"),
    ]);
    expect(atAlice).toEqual({ callId, reason: "missed" });
    expect(atBob).toEqual({ callId, reason: "missed" });
    // Both sides keep a line about it in the chat's history, so a reload shows it too.
    for (const line of await Promise.all(lines))
      expect(line).toMatchObject({ call: "missed", from: { name: "Alice" } });
    const reloaded = server!.instance.store;
    const chatId = (await reloaded.getSession(bob.session.user.id))!.chatId!;
    expect((await reloaded.privateHistory(chatId)).map((m) => [m.call, m.from.name])).toEqual([
      ["missed", "Alice"],
    ]);
  });

  it("tells the caller when the partner declines", async () => {
    const { alice, bob } = await setup();
    const callId = await ring(alice, bob);
    const ended = waitFor(alice.socket, "call:ended");
    const line = waitFor(alice.socket, "private:message");
    expect(await request(bob.socket, "call:answer", { callId, accept: false })).toEqual({ ok: true });
    expect(await ended).toEqual({ callId, reason: "declined" });
    expect(await line).toMatchObject({ call: "declined", from: { name: "Alice" }, text: "Declined call" });
  });

  it("allows one call per chat, and only the callee answers", async () => {
    const { alice, bob } = await setup({ CALL_RING_TIMEOUT_MS: "30000" });
    const callId = await ring(alice, bob);
    expect(await request(bob.socket, "call:invite", {})).toMatchObject({ error: { code: "call_exists" } });
    expect(await request(alice.socket, "call:answer", { callId, accept: true })).toMatchObject({
      error: { code: "no_call" },
    });
  });

  it("connects on accept and relays descriptions and candidates only to the partner", async () => {
    const { alice, bob, carol } = await setup({ CALL_RING_TIMEOUT_MS: "300" });
    const callId = await ring(alice, bob);
    const answered = waitFor(alice.socket, "call:answered");
    await request(bob.socket, "call:answer", { callId, accept: true });
    expect(await answered).toEqual({ callId, accept: true });
    const missed = record(alice.socket, "call:ended");

    const carolSignals = record(carol.socket, "call:signal");
    const offer = waitFor(bob.socket, "call:signal");
    const description = { type: "offer" as const, sdp: "v=0\r\n" };
    expect(await request(alice.socket, "call:signal", { callId, description })).toEqual({ ok: true });
    expect(await offer).toEqual({ callId, description });
    const candidate = {
      candidate: "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host",
      sdpMid: "0",
      sdpMLineIndex: 0,
    };
    const trickled = waitFor(alice.socket, "call:signal");
    await request(bob.socket, "call:signal", { callId, candidate });
    expect(await trickled).toEqual({ callId, candidate });

    // The accepted call outlives the ring timeout: a bounded wait for something that must not happen.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(missed).toEqual([]);

    // Carol knows the call id but is not in the pair: nothing reaches anyone.
    expect(await request(carol.socket, "call:signal", { callId, description })).toMatchObject({
      error: { code: "no_call" },
    });
    expect(carolSignals).toEqual([]);

    const hungUp = waitFor(bob.socket, "call:ended");
    expect(await request(alice.socket, "call:end", { callId })).toEqual({ ok: true });
    expect(await hungUp).toEqual({ callId, reason: "hangup" });
    expect(await request(alice.socket, "call:signal", { callId, description })).toMatchObject({
      error: { code: "no_call" },
    });
  });

  it("rejects malformed signalling with an error ack", async () => {
    const { alice, bob } = await setup({ CALL_RING_TIMEOUT_MS: "30000" });
    const callId = await ring(alice, bob);
    await request(bob.socket, "call:answer", { callId, accept: true });
    const bobSignals = record(bob.socket, "call:signal");
    const bad: unknown[] = [
      { callId },
      { callId, description: { type: "offer", sdp: "x" }, candidate: { candidate: "" } },
      { callId, description: { type: "evil", sdp: "x" } },
      { callId, description: { type: "offer", sdp: "x".repeat(60_001) } },
      { callId, candidate: { candidate: 42 } },
      { callId, candidate: { candidate: "c", sdpMLineIndex: -1 } },
      { callId: 5, description: { type: "offer" } },
      JSON.parse(
        `{"callId":"${callId}","description":{"type":"offer","sdp":"x","__proto__":{"polluted":1}}}`,
      ),
      "offer",
      null,
    ];
    for (const payload of bad) {
      const ack = await request(alice.socket, "call:signal", payload as never);
      expect(ack, JSON.stringify(payload)?.slice(0, 80)).toMatchObject({
        ok: false,
        error: { code: "invalid_payload" },
      });
    }
    expect(bobSignals).toEqual([]);
    expect(await request(alice.socket, "call:signal", { callId, candidate: null })).toEqual({ ok: true });
  });

  it("ends the call before closing the chat", async () => {
    const { alice, bob } = await setup({ CALL_RING_TIMEOUT_MS: "30000" });
    const callId = await ring(alice, bob);
    await request(bob.socket, "call:answer", { callId, accept: true });
    const order: string[] = [];
    bob.socket.on("call:ended", (e) => order.push(`ended:${e.reason}`));
    const closed = waitFor(bob.socket, "private:closed");
    bob.socket.on("private:closed", (e) => order.push(`closed:${e.reason}`));
    await request(alice.socket, "private:close", {});
    await closed;
    expect(order).toEqual(["ended:chat_closed", "closed:closed"]);
  });

  it("hands out short-lived TURN credentials derived from the shared secret", async () => {
    const { alice, bob } = await setup({
      STUN_URLS: "stun:stun.test:3478",
      TURN_URLS: "turn:turn.test:3478?transport=udp,turns:turn.test:5349",
      TURN_SECRET: "s3cret",
      TURN_TTL_S: "3600",
    });
    await ring(alice, bob);
    const ack = await request(alice.socket, "call:ice-servers", {});
    const [stun, turn] = (
      ack as unknown as { iceServers: { urls: string[]; username?: string; credential?: string }[] }
    ).iceServers;
    expect(stun).toEqual({ urls: ["stun:stun.test:3478"] });
    const [expiry, user] = turn!.username!.split(":");
    expect(user).toBe(alice.session.user.id);
    expect(Number(expiry) - Date.now() / 1000).toBeGreaterThan(3500);
    expect(turn!.credential).toBe(createHmac("sha1", "s3cret").update(turn!.username!).digest("base64"));
  });

  it("scopes a file transfer's TURN credentials to the transfer: FILE_TURN_TTL_S, only with a live offer", async () => {
    const { alice, bob } = await setup({
      TURN_URLS: "turn:turn.test:3478?transport=udp",
      TURN_SECRET: "s3cret",
      TURN_TTL_S: "3600",
      FILE_TURN_TTL_S: "900",
    });
    const expiryOf = (ack: unknown) => {
      const servers = (ack as { iceServers: { username?: string }[] }).iceServers;
      return Number(servers.find((entry) => entry.username)!.username!.split(":")[0]) - Date.now() / 1000;
    };
    const offered = waitFor(bob.socket, "file:offered");
    const offer = await request(alice.socket, "file:offer", {
      fileId: "file-0001",
      name: "a.txt",
      size: 10,
      type: "",
    });
    await offered;
    // The sender's: a transfer's quarter hour, not a call's hour.
    expect(expiryOf(offer)).toBeGreaterThan(890);
    expect(expiryOf(offer)).toBeLessThanOrEqual(900);
    const accepted = await request(bob.socket, "file:answer", { fileId: "file-0001", accept: true });
    expect(expiryOf(accepted)).toBeLessThanOrEqual(900);
    // The offer is answered: no second credential for it.
    expect(await request(bob.socket, "file:answer", { fileId: "file-0001", accept: true })).toMatchObject({
      ok: false,
      error: { code: "no_file_offer" },
    });
  });

  it("gives no ICE servers when none are configured (host candidates only)", async () => {
    const { alice, bob } = await setup();
    await ring(alice, bob);
    expect(await request(alice.socket, "call:ice-servers", {})).toEqual({
      ok: true,
      iceServers: [],
      iceTransportPolicy: "all",
      sfu: false, // no Janus configured: group calls are a mesh
    });
  });

  it("tells clients to use relay candidates only when the operator says so", async () => {
    const { alice, bob } = await setup({
      TURN_URLS: "turn:turn.test:3478",
      TURN_SECRET: "s3cret",
      ICE_TRANSPORT_POLICY: "relay",
    });
    await ring(alice, bob);
    expect(await request(alice.socket, "call:ice-servers", {})).toMatchObject({
      ok: true,
      iceTransportPolicy: "relay",
    });
    expect(() => loadConfig({ ICE_TRANSPORT_POLICY: "direct" })).toThrow(/ICE_TRANSPORT_POLICY/);
    // Relay only without a relay: no call could ever connect.
    expect(() => loadConfig({ ICE_TRANSPORT_POLICY: "relay" })).toThrow(
      /ICE_TRANSPORT_POLICY: relay needs TURN_URLS/,
    );
  });
});
