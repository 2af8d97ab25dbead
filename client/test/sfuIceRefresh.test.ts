// @vitest-environment happy-dom
// TURN credentials renewed during a call through the SFU, as in the mesh (iceRefresh.test.ts): each of
// the two connections to Janus fetches fresh ICE servers at half the remaining lifetime and applies
// them; a relayed path is restarted onto them, the publisher by offering Janus again, the subscriber
// by asking the server for Janus's fresh offer (sfu:restart).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { credentialsExpireAt } from "../src/webrtc/credentials";
import type { FakePeerConnection } from "./fakePeerConnection";
import { sfuCall, stopSfuCalls } from "./sfuHarness";

const TTL_S = 60;
const TURN = "turn:turn.example:3478?transport=udp";

function issued(ttlS = TTL_S): RTCIceServer[] {
  const username = `${Math.floor(Date.now() / 1000) + ttlS}:u1`;
  return [{ urls: [TURN], username, credential: `hmac-of-${username}` }];
}

/** getStats() whose selected pair's local candidate is of `type`, as Chromium reports it. */
function statsWithLocal(type: "host" | "relay") {
  return async () =>
    new Map<string, object>([
      ["T01", { id: "T01", type: "transport", selectedCandidatePairId: "CP1" }],
      ["CP1", { id: "CP1", type: "candidate-pair", localCandidateId: "L1" }],
      ["L1", { id: "L1", type: "local-candidate", candidateType: type }],
    ]);
}

/** Waits for `work`, letting the fake connections' queued operations (zero-delay timers) run. */
async function settled<T>(work: Promise<T>): Promise<T> {
  await vi.advanceTimersByTimeAsync(20);
  return work;
}

/** An SFU call whose two connections are connected over a `path`; Janus answers every publish. */
async function sfuCallOver(path: "host" | "relay") {
  const fetchIceServers = vi.fn(async () => issued());
  const { call, transport, pcs } = sfuCall({
    iceServers: issued(),
    fetchIceServers,
    onPeerConnection: (pc) => {
      pc.getStats = statsWithLocal(path) as unknown as FakePeerConnection["getStats"];
    },
  });
  await settled(call.start());
  await settled(call.receiveOffer({ type: "offer", sdp: "janus offer 1" }, []));
  const publisher = pcs.publisher!;
  const subscriber = pcs.subscriber!;
  for (const pc of [publisher, subscriber]) {
    pc.setIceState("checking");
    pc.setIceState("connected");
  }
  return { call, transport, fetchIceServers, publisher, subscriber, pcs };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-12-07T08:00:00Z") });
});
afterEach(() => {
  stopSfuCalls();
  vi.useRealTimers();
});

describe("an SFU call longer than the credentials' lifetime", () => {
  it("renews them on both connections, again and again, and restarts relayed paths onto them", async () => {
    const { transport, fetchIceServers, publisher, subscriber } = await sfuCallOver("relay");
    expect(transport.publish).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(25_000);
    expect(fetchIceServers).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(6_000); // 31 s: half of the 60 s has passed
    expect(fetchIceServers).toHaveBeenCalledTimes(2); // once per connection
    for (const pc of [publisher, subscriber])
      expect(credentialsExpireAt(pc.config.iceServers!)).toBeGreaterThan(Date.now() + 55_000);
    // The publisher offers again (the browser puts fresh ICE credentials in it) and takes Janus's answer.
    expect(publisher.restartIce).toHaveBeenCalledTimes(1);
    expect(transport.publish).toHaveBeenCalledTimes(2);
    expect(transport.publish.mock.lastCall?.[0]).toEqual({ type: "offer", sdp: "publisher offer 2" });
    expect(publisher.signalingState).toBe("stable");
    expect(publisher.remoteDescription?.sdp).toBe("janus answer to publisher offer 2");
    // The subscriber answers: it asks the server for Janus's offer with fresh ICE credentials.
    expect(transport.restart).toHaveBeenCalledTimes(1);
    expect(subscriber.restartIce).not.toHaveBeenCalled();
    // Ten minutes of call: the credentials in use never expire on either connection.
    for (let second = 31; second < 600; second += 1) {
      await vi.advanceTimersByTimeAsync(1_000);
      for (const pc of [publisher, subscriber])
        expect(credentialsExpireAt(pc.config.iceServers!)).toBeGreaterThan(Date.now());
    }
    expect(fetchIceServers.mock.calls.length).toBeGreaterThanOrEqual(36);
    expect(transport.restart.mock.calls.length).toBeGreaterThanOrEqual(18);
    expect(transport.publish).toHaveBeenCalledTimes(transport.restart.mock.calls.length + 1);
  });

  it("changes only the configuration of paths that do not use their own relay", async () => {
    const { transport, fetchIceServers, publisher, subscriber } = await sfuCallOver("host");
    await vi.advanceTimersByTimeAsync(31_000);
    expect(fetchIceServers).toHaveBeenCalledTimes(2);
    for (const pc of [publisher, subscriber])
      expect(credentialsExpireAt(pc.config.iceServers!)).toBeGreaterThan(Date.now() + 55_000);
    expect(transport.publish).toHaveBeenCalledTimes(1);
    expect(transport.restart).not.toHaveBeenCalled();
  });

  it("restarts a failed subscriber path through Janus, and a rejoin starts with the freshest servers", async () => {
    const { call, transport, fetchIceServers, subscriber, pcs } = await sfuCallOver("host");
    const states: string[] = [];
    call.on("stateChanged", ({ state }) => states.push(state));
    call.setParticipants([{ id: "ben", name: "Ben" }]);
    subscriber.setIceState("failed");
    await vi.waitFor(() => expect(transport.restart).toHaveBeenCalledTimes(1));
    expect(fetchIceServers).toHaveBeenCalledTimes(1);
    expect(states).toContain("reconnecting");
    const fresh = await fetchIceServers.mock.results[0]!.value;
    // The call moved to another node: the new connections start with what was fetched last.
    call.resync();
    await vi.advanceTimersByTimeAsync(20);
    await vi.waitFor(() => expect(transport.publish).toHaveBeenCalledTimes(2));
    expect(transport.join).toHaveBeenCalledTimes(2);
    expect(fetchIceServers).toHaveBeenCalledTimes(1);
    expect(pcs.publisher).not.toBe(subscriber);
    expect(pcs.publisher!.config.iceServers).toBe(fresh);
    await settled(call.receiveOffer({ type: "offer", sdp: "janus offer on the new node" }, []));
    expect(pcs.subscriber).not.toBe(subscriber);
    expect(pcs.subscriber!.config.iceServers).toBe(fresh);
    expect(transport.answer).toHaveBeenCalledTimes(2);
  });

  it("stops renewing when the call ends", async () => {
    const { call, fetchIceServers } = await sfuCallOver("relay");
    call.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(fetchIceServers).not.toHaveBeenCalled();
  });
});
