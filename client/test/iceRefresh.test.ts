// @vitest-environment happy-dom
// TURN credentials renewed during a call: with the short lifetime a deployment may set (TURN_TTL_S=60),
// a peer fetches fresh ICE servers at half the remaining lifetime, applies them with setConfiguration,
// and restarts ICE onto them only when its path runs through its own relay.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { credentialsExpireAt, MIN_REFRESH_MS, refreshDelay } from "../src/webrtc/credentials";
import { PeerSession } from "../src/webrtc/peer";
import { RENEWAL_GRACE_MS } from "../src/webrtc/recovery";
import { FakePeerConnection } from "./fakePeerConnection";

const TTL_S = 60;
const TURN = "turn:turn.example:3478?transport=udp";

/** What the server's call:ice-servers answers with TURN_SECRET: "<expiry unix s>:<user id>" (coturn's REST convention). */
function issued(ttlS = TTL_S, userId = "u1"): RTCIceServer[] {
  const username = `${Math.floor(Date.now() / 1000) + ttlS}:${userId}`;
  return [{ urls: "stun:stun.example:3478" }, { urls: [TURN], username, credential: `hmac-of-${username}` }];
}

/** getStats() of a connection whose selected pair's local candidate is of `type`, as Chromium reports it. */
function statsWithLocal(type: "host" | "srflx" | "relay") {
  return async () =>
    new Map<string, object>([
      ["T01", { id: "T01", type: "transport", selectedCandidatePairId: "CP1" }],
      ["CP1", { id: "CP1", type: "candidate-pair", localCandidateId: "L1", remoteCandidateId: "R1" }],
      ["L1", { id: "L1", type: "local-candidate", candidateType: type }],
      ["R1", { id: "R1", type: "remote-candidate", candidateType: "host" }],
    ]);
}

const sessions: PeerSession[] = [];
function peer(path: "host" | "relay", fetchIceServers = vi.fn(async () => issued()), polite = false) {
  const pc = new FakePeerConnection("A", {});
  pc.getStats = statsWithLocal(path) as unknown as FakePeerConnection["getStats"];
  const session = new PeerSession({
    polite,
    iceServers: issued(),
    local: { microphone: null, camera: null, stream: null },
    sendSignal: async () => true,
    fetchIceServers,
    createPeerConnection: (config) => {
      pc.config = config;
      return pc as unknown as RTCPeerConnection;
    },
  });
  sessions.push(session);
  pc.setIceState("checking");
  pc.setIceState("connected");
  return { session, pc, fetchIceServers };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-12-07T08:00:00Z") });
});
afterEach(() => {
  for (const session of sessions.splice(0)) session.stop();
  vi.useRealTimers();
});

describe("TURN credential expiry", () => {
  it("reads the earliest expiry from REST-convention usernames, and none from static ones", () => {
    const now = Date.now();
    const servers = [
      ...issued(600),
      ...issued(TTL_S, "u2"),
      { urls: TURN, username: "static", credential: "x" },
    ];
    expect(credentialsExpireAt(servers)).toBe(Math.floor(now / 1000) * 1000 + TTL_S * 1000);
    expect(credentialsExpireAt([{ urls: TURN, username: "static", credential: "x" }])).toBeNull();
    expect(credentialsExpireAt([{ urls: "stun:stun.example:3478" }])).toBeNull();
    // Half of what is left: a clock off by less than that still refreshes in time.
    expect(refreshDelay(issued(), now)).toBeGreaterThanOrEqual(29_000);
    expect(refreshDelay(issued(), now)).toBeLessThanOrEqual(30_000);
    expect(refreshDelay(issued(4), now)).toBe(MIN_REFRESH_MS);
    // Already expired by this clock: left to the ICE restart of a failed path.
    expect(refreshDelay(issued(-5), now)).toBeNull();
  });
});

describe("a call longer than the credentials' lifetime", () => {
  it("renews them before they expire, again and again, and restarts a relayed path onto them", async () => {
    const { pc, fetchIceServers } = peer("relay");
    const first = pc.config.iceServers;
    await vi.advanceTimersByTimeAsync(25_000);
    expect(fetchIceServers).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(6_000); // 31 s: half of the 60 s has passed
    expect(fetchIceServers).toHaveBeenCalledTimes(1);
    expect(pc.config.iceServers).not.toEqual(first);
    expect(credentialsExpireAt(pc.config.iceServers!)).toBeGreaterThan(Date.now() + 55_000);
    expect(pc.restartIce).toHaveBeenCalledTimes(1);
    // Ten minutes of call: the credentials in use never expire.
    for (let second = 31; second < 600; second += 1) {
      await vi.advanceTimersByTimeAsync(1_000);
      expect(credentialsExpireAt(pc.config.iceServers!)).toBeGreaterThan(Date.now());
    }
    expect(fetchIceServers.mock.calls.length).toBeGreaterThanOrEqual(18);
    expect(pc.restartIce).toHaveBeenCalledTimes(fetchIceServers.mock.calls.length);
  });

  it("on the polite side, leaves the restart to the partner, and restarts itself only if none came", async () => {
    // Both ends renew at about the same moment: two restarts at once would collide.
    const { pc, fetchIceServers } = peer("relay", undefined, true);
    pc.localDescription = { type: "answer", sdp: "v=0\r\na=ice-ufrag:old1\r\n" };
    await vi.advanceTimersByTimeAsync(31_000);
    expect(fetchIceServers).toHaveBeenCalledTimes(1);
    expect(credentialsExpireAt(pc.config.iceServers!)).toBeGreaterThan(Date.now() + 55_000);
    expect(pc.restartIce).not.toHaveBeenCalled();
    // The partner's restart arrives: answering it gathered on the fresh servers (a new ufrag).
    pc.localDescription = { type: "answer", sdp: "v=0\r\na=ice-ufrag:new2\r\n" };
    await vi.advanceTimersByTimeAsync(RENEWAL_GRACE_MS + 1_000);
    expect(pc.restartIce).not.toHaveBeenCalled();
    // The next renewal: no restart comes from the partner this time, so this side restarts.
    await vi.advanceTimersByTimeAsync(30_000 - RENEWAL_GRACE_MS);
    expect(fetchIceServers).toHaveBeenCalledTimes(2);
    expect(pc.restartIce).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(RENEWAL_GRACE_MS);
    expect(pc.restartIce).toHaveBeenCalledTimes(1);
  });

  it("changes only the configuration of a path that does not use its own relay", async () => {
    const { session, pc, fetchIceServers } = peer("host");
    await vi.advanceTimersByTimeAsync(31_000);
    expect(fetchIceServers).toHaveBeenCalledTimes(1);
    expect(credentialsExpireAt(pc.config.iceServers!)).toBeGreaterThan(Date.now() + 55_000);
    expect(pc.restartIce).not.toHaveBeenCalled();
    expect(session.currentState).toBe("connected");
  });

  it("keeps the relay-only policy, and tries again when the server cannot answer", async () => {
    const fetchIceServers = vi.fn(async () => issued());
    fetchIceServers.mockRejectedValueOnce(new Error("timeout"));
    const { pc } = peer("host", fetchIceServers);
    pc.config = { ...pc.config, iceTransportPolicy: "relay" };
    await vi.advanceTimersByTimeAsync(31_000); // the first try fails: the old ones still last ~29 s
    expect(fetchIceServers).toHaveBeenCalledTimes(1);
    expect(pc.restartIce).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(15_000);
    expect(fetchIceServers).toHaveBeenCalledTimes(2);
    expect(pc.config.iceTransportPolicy).toBe("relay");
    expect(pc.restartIce).toHaveBeenCalledTimes(1);
  });

  it("leaves the path alone when the answer holds nothing fresher (a file transfer hands the same servers)", async () => {
    const servers = issued();
    const same = vi.fn(async () => servers);
    const { pc } = peer("relay", same);
    pc.config = { ...pc.config, iceServers: servers };
    await vi.advanceTimersByTimeAsync(31_000);
    expect(same).toHaveBeenCalledTimes(1);
    expect(pc.restartIce).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(same).toHaveBeenCalledTimes(1); // not asked again: it has nothing fresher to give
  });

  it("stops renewing when the call ends, and never renews what does not expire", async () => {
    const { session, fetchIceServers } = peer("relay");
    session.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(fetchIceServers).not.toHaveBeenCalled();

    const fixed = vi.fn(async () => [{ urls: TURN, username: "static", credential: "x" }]);
    const pc = new FakePeerConnection("B", {});
    sessions.push(
      new PeerSession({
        polite: true,
        iceServers: [{ urls: TURN, username: "static", credential: "x" }],
        local: { microphone: null, camera: null, stream: null },
        sendSignal: async () => true,
        fetchIceServers: fixed,
        createPeerConnection: (config) => Object.assign(pc, { config }) as unknown as RTCPeerConnection,
      }),
    );
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(fixed).not.toHaveBeenCalled();
  });
});
