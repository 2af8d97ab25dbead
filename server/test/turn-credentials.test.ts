// Who gets a TURN credential (call:ice-servers): a session in a call or entering one, never anyone
// else, never after leaving; and how long one lasts. (What coturn does with it: turn.test.ts.)
import { describe, expect, it } from "vitest";
import type { GroupCall, IceServer } from "@videochat/protocol";
import { loadConfig } from "../src/config.js";
import { request, waitFor, type ClientSocket } from "./support/clients.js";
import { useServer } from "./support/harness.js";

const TURN = { TURN_URLS: "turn:turn.test:3478?transport=udp", TURN_SECRET: "s3cret" };

/** The TURN credential's expiry (unix seconds), or the refusal's code. */
async function credential(socket: ClientSocket): Promise<number | string> {
  const ack = await request(socket, "call:ice-servers", {});
  if (!ack.ok) return ack.error.code;
  const turn = (ack.iceServers as IceServer[]).find((server) => server.username);
  return Number(turn!.username!.split(":")[0]);
}

describe("TURN credentials are scoped to calls", () => {
  const server = useServer({ ...TURN, CALL_RING_TIMEOUT_MS: "5000" });

  it("refuses a session in no call, and one that left its group call", async () => {
    const [ann, bo] = await Promise.all(["Ann", "Bo"].map((name) => server.enter(name)));
    expect(await credential(ann!.socket)).toBe("no_call");
    const started = await request(ann!.socket, "group:start", {});
    const call = (started as unknown as { call: GroupCall }).call;
    // In the call: a credential of 10 minutes (the default TTL; renewed during the call, below).
    const expiry = await credential(ann!.socket);
    expect(typeof expiry).toBe("number");
    expect((expiry as number) - Date.now() / 1000).toBeLessThanOrEqual(600);
    expect((expiry as number) - Date.now() / 1000).toBeGreaterThan(590);
    // Bo, in the same room but not in the call, gets none until he joins.
    expect(await credential(bo!.socket)).toBe("no_call");
    expect((await request(bo!.socket, "group:join", { callId: call.id })).ok).toBe(true);
    expect(typeof (await credential(bo!.socket))).toBe("number");
    expect((await request(ann!.socket, "group:leave", {})).ok).toBe(true);
    expect(await credential(ann!.socket)).toBe("no_call");
    expect(typeof (await credential(bo!.socket))).toBe("number");
  });

  it("gives both sides of a ringing 1:1 call one, and neither after the hang-up", async () => {
    const [ann, bo] = await Promise.all(["Ann", "Bo"].map((name) => server.enter(name)));
    const opened = waitFor(bo!.socket, "private:opened");
    await request(ann!.socket, "private:open", { with: bo!.session.user.id });
    await opened;
    // An open private chat is not a call yet.
    expect(await credential(ann!.socket)).toBe("no_call");
    const incoming = waitFor(bo!.socket, "call:incoming");
    await request(ann!.socket, "call:invite", {});
    const { call } = await incoming;
    expect(typeof (await credential(ann!.socket))).toBe("number");
    expect(typeof (await credential(bo!.socket))).toBe("number");
    const ended = waitFor(bo!.socket, "call:ended");
    expect((await request(ann!.socket, "call:end", { callId: call.id })).ok).toBe(true);
    await ended;
    expect(await credential(ann!.socket)).toBe("no_call");
    expect(await credential(bo!.socket)).toBe("no_call");
  });

  it("refuses a credential lifetime over an hour", () => {
    expect(loadConfig(TURN).ice.turnTtlSeconds).toBe(600);
    expect(loadConfig({ ...TURN, TURN_TTL_S: "3600" }).ice.turnTtlSeconds).toBe(3600);
    expect(() => loadConfig({ ...TURN, TURN_TTL_S: "21600" })).toThrow(/TURN_TTL_S/);
  });
});

describe("TURN credentials renewed during a call (a short TURN_TTL_S)", () => {
  const server = useServer({ ...TURN, TURN_TTL_S: "60" });

  it("gives a call's participant a 60 s credential, and a later one at each renewal while the call lasts", async () => {
    const ann = await server.enter("Ann");
    expect((await request(ann.socket, "group:start", {})).ok).toBe(true);
    const first = (await credential(ann.socket)) as number;
    // What the client renews at: half of this lifetime (client/src/webrtc/credentials.ts).
    expect(first - Date.now() / 1000).toBeLessThanOrEqual(60);
    expect(first - Date.now() / 1000).toBeGreaterThan(55);
    // Asked again once the clock moved on (as the client's renewal timer does): still in the call, so a
    // fresh credential that outlives the first.
    await expect.poll(() => credential(ann.socket), { timeout: 5_000, interval: 200 }).toBeGreaterThan(first);
  });
});
