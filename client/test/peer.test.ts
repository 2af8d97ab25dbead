// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from "vitest";
import { PeerSession, type PeerSignal, type PeerState } from "../src/webrtc/peer";
import { framesDecoded } from "../src/webrtc/stats";
import { fakeStream, FakePeerConnection } from "./fakePeerConnection";

/** One side of a call: the session, its fake pc, and the signals it sent (in order). */
function side(
  name: string,
  polite: boolean,
  options: {
    iceServers?: RTCIceServer[];
    awaitOffer?: boolean;
    iceTransportPolicy?: RTCIceTransportPolicy;
  } = {},
) {
  const pc = new FakePeerConnection(name, { iceServers: options.iceServers ?? [] });
  const sent: PeerSignal[] = [];
  const states: PeerState[] = [];
  const localStream = fakeStream(["audio", "video"]);
  const fetchIceServers = vi.fn(async () => [{ urls: "turn:turn.example:3478", username: "fresh" }]);
  const session = new PeerSession({
    polite,
    awaitOffer: options.awaitOffer,
    iceServers: options.iceServers ?? [],
    iceTransportPolicy: options.iceTransportPolicy,
    local: {
      microphone: localStream.getAudioTracks()[0] as unknown as MediaStreamTrack,
      camera: localStream.getVideoTracks()[0] as unknown as MediaStreamTrack,
      stream: localStream as unknown as MediaStream,
    },
    sendSignal: async (signal) => {
      sent.push(signal);
      return true;
    },
    fetchIceServers,
    createPeerConnection: (config) => {
      pc.config = config;
      return pc as unknown as RTCPeerConnection;
    },
  });
  session.on("state", (state) => states.push(state));
  return { session, pc, sent, states, localStream, fetchIceServers };
}

/** Lets the fake browser finish what it queued (each operation waits a macrotask). */
const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

const sessions: PeerSession[] = [];
function call() {
  const caller = side("A", false); // the caller is impolite
  const callee = side("B", true); // the callee, who accepted, is polite
  sessions.push(caller.session, callee.session);
  return { caller, callee };
}
afterEach(() => {
  for (const session of sessions.splice(0)) session.stop();
});

describe("perfect negotiation", () => {
  it("lets the callee add its tracks only when it answers the caller's offer, so offers never collide", async () => {
    const caller = side("A", false);
    const callee = side("B", true, { awaitOffer: true });
    sessions.push(caller.session, callee.session);
    expect(callee.pc.senders).toEqual([]);
    caller.pc.onnegotiationneeded?.({});
    await settle();
    await callee.session.receive(caller.sent.shift()!);
    await settle();
    expect(callee.pc.senders.map((s) => (s.track as { kind: string }).kind)).toEqual(["audio", "video"]);
    expect(callee.sent[0]).toEqual({ description: { type: "answer", sdp: expect.any(String) } });
  });

  it("sends the local tracks and offers when negotiation is needed", async () => {
    const { caller } = call();
    expect(caller.pc.senders.map((s) => (s.track as { kind: string }).kind)).toEqual(["audio", "video"]);
    caller.pc.onnegotiationneeded?.({});
    await settle();
    expect(caller.sent).toEqual([{ description: { type: "offer", sdp: "A offer 1" } }]);
  });

  it("resolves glare: the polite side rolls back and answers, the impolite side ignores the other offer", async () => {
    const { caller, callee } = call();
    // Both add their camera at once, so both offer at once.
    caller.pc.onnegotiationneeded?.({});
    callee.pc.onnegotiationneeded?.({});
    await settle();
    const offerFromA = caller.sent.shift()!;
    const offerFromB = callee.sent.shift()!;
    expect(offerFromA.description?.type).toBe("offer");
    expect(offerFromB.description?.type).toBe("offer");

    // The offers cross on the wire.
    await caller.session.receive(offerFromB);
    await callee.session.receive(offerFromA);
    await settle();

    expect(caller.pc.history).not.toContain("remote offer: B offer 1"); // ignored
    expect(caller.pc.signalingState).toBe("have-local-offer");
    expect(callee.pc.history).toEqual([
      "local B offer 1",
      "rollback",
      "remote offer: A offer 1",
      "local B answer to A offer 1",
    ]);
    const answer = callee.sent.shift()!;
    expect(answer).toEqual({ description: { type: "answer", sdp: "B answer to A offer 1" } });

    await caller.session.receive(answer);
    await settle();
    expect(caller.pc.signalingState).toBe("stable");
    expect(callee.pc.signalingState).toBe("stable");
    expect(caller.pc.remoteDescription?.sdp).toBe("B answer to A offer 1");
  });

  it("yields on the polite side even while its own offer is still being made", async () => {
    const { caller, callee } = call();
    caller.pc.onnegotiationneeded?.({});
    await settle();
    callee.pc.onnegotiationneeded?.({}); // makingOffer is true until its setLocalDescription resolves
    await callee.session.receive(caller.sent.shift()!);
    await settle();
    expect(callee.pc.history).toContain("rollback");
    expect(callee.pc.remoteDescription?.sdp).toBe("A offer 1");
    expect(callee.sent.at(-1)?.description?.type).toBe("answer");
  });

  it("buffers candidates that arrive before the remote description, then applies them", async () => {
    const { caller, callee } = call();
    const early = { candidate: "candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host", sdpMid: "0" };
    await callee.session.receive({ candidate: early });
    expect(callee.pc.candidates).toEqual([]);

    caller.pc.onnegotiationneeded?.({});
    await settle();
    await callee.session.receive(caller.sent.shift()!);
    await settle();
    expect(callee.pc.candidates).toEqual([early]);

    const late = { candidate: "candidate:2 1 udp 1686052607 203.0.113.5 50001 typ srflx", sdpMid: "0" };
    await callee.session.receive({ candidate: late });
    expect(callee.pc.candidates).toEqual([early, late]);
  });

  it("trickles its own candidates to the partner", () => {
    const { caller } = call();
    const candidate = { candidate: "candidate:3 1 udp 1 10.0.0.2 50002 typ host", sdpMid: "0" };
    caller.pc.onicecandidate?.({ candidate: { toJSON: () => candidate } });
    caller.pc.onicecandidate?.({ candidate: null }); // end of candidates: nothing to send
    expect(caller.sent).toEqual([{ candidate }]);
  });
});

describe("connection state and ICE restart", () => {
  it("is connected when ICE connects, and restarts ICE with fresh servers when it fails", async () => {
    const { caller } = call();
    caller.pc.setIceState("checking");
    caller.pc.setIceState("connected");
    caller.pc.setIceState("failed");
    await settle();
    expect(caller.fetchIceServers).toHaveBeenCalledTimes(1);
    expect(caller.pc.config.iceServers).toEqual([{ urls: "turn:turn.example:3478", username: "fresh" }]);
    expect(caller.pc.restartIce).toHaveBeenCalledTimes(1);
    expect(caller.states).toEqual(["connected", "reconnecting"]);
    caller.pc.setIceState("connected");
    expect(caller.states.at(-1)).toBe("connected");
  });

  it("keeps a relay-only policy through an ICE restart with fresh servers", async () => {
    const relayOnly = side("relay", false, { iceTransportPolicy: "relay" });
    const plain = side("default", false);
    sessions.push(relayOnly.session, plain.session);
    expect(relayOnly.pc.config.iceTransportPolicy).toBe("relay");
    expect(plain.pc.config.iceTransportPolicy).toBe("all");
    relayOnly.pc.setIceState("checking");
    relayOnly.pc.setIceState("failed");
    await settle();
    expect(relayOnly.pc.restartIce).toHaveBeenCalledTimes(1);
    expect(relayOnly.pc.config).toEqual({
      iceServers: [{ urls: "turn:turn.example:3478", username: "fresh" }],
      iceTransportPolicy: "relay",
    });
  });

  it("restarts when ICE fails straight from checking, and gives up after a few tries", async () => {
    const { callee } = call();
    for (let attempt = 0; attempt < 4; attempt += 1) {
      callee.pc.setIceState("checking");
      callee.pc.setIceState("failed");
      await settle();
    }
    expect(callee.pc.restartIce).toHaveBeenCalledTimes(3);
    expect(callee.states).toEqual(["reconnecting", "failed"]);
  });

  it("restarts ICE when the device comes back online", async () => {
    const { caller } = call();
    caller.pc.setIceState("connected");
    window.dispatchEvent(new Event("online"));
    await settle();
    expect(caller.pc.restartIce).toHaveBeenCalledTimes(1);
  });

  it("closes the connection when stopped, leaving the local tracks to their owner", async () => {
    const { caller } = call();
    caller.session.stop();
    expect(caller.localStream.tracks.every((t) => t.stop.mock.calls.length === 0)).toBe(true);
    expect(caller.pc.close).toHaveBeenCalled();
    expect(caller.states).toEqual(["closed"]);
    // Nothing happens any more after stop: no restart on a late network event.
    window.dispatchEvent(new Event("online"));
    await settle();
    expect(caller.pc.restartIce).not.toHaveBeenCalled();
  });

  it("names the partner's tracks by transceiver and reads their decoded frames", async () => {
    const { caller } = call();
    const arrived: unknown[] = [];
    caller.session.on("track", ({ source, track }) => arrived.push([source, track.kind]));
    caller.pc.deliverTrack(0);
    caller.pc.deliverTrack(1);
    expect(arrived).toEqual([
      ["microphone", "audio"],
      ["camera", "video"],
    ]);
    expect(await framesDecoded(caller.session)).toBe(42);
  });
});
