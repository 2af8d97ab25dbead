// Alice's side of a call through the SFU, for tests of SfuCall: a fake transport standing in for the
// server and Janus (Janus answers every publish), fake peer connections by target, and a microphone and
// camera of fake tracks.
import { vi } from "vitest";
import { SfuCall, type SfuOptions, type SfuTarget, type SfuTransport } from "../src/webrtc/sfu";
import { FakePeerConnection, fakeStream } from "./fakePeerConnection";

const calls: SfuCall[] = [];

/** Stops every call sfuCall() made since the last stop; for afterEach. */
export function stopSfuCalls(): void {
  for (const call of calls.splice(0)) call.stop();
}

export interface SfuCallOptions extends Partial<Pick<SfuOptions, "iceServers" | "fetchIceServers">> {
  /** Fits out each fake connection as it is created (its getStats(), say). */
  onPeerConnection?: (pc: FakePeerConnection) => void;
}

/** A new SfuCall, not started; `pcs` holds its fake connections as it creates them. */
export function sfuCall(options: SfuCallOptions = {}) {
  const pcs: Partial<Record<SfuTarget, FakePeerConnection>> = {};
  const transport = {
    join: vi.fn(async () => true),
    publish: vi.fn(async (offer: RTCSessionDescriptionInit, _screenMid?: string) => ({
      type: "answer" as const,
      sdp: `janus answer to ${offer.sdp}`,
    })),
    answer: vi.fn(async () => true),
    trickle: vi.fn(async () => true),
    restart: vi.fn(async () => true),
  } satisfies SfuTransport;
  const stream = fakeStream(["audio", "video"]);
  const [microphone, camera] = stream.tracks as unknown as MediaStreamTrack[];
  const call = new SfuCall({
    selfId: "alice",
    transport,
    iceServers: options.iceServers ?? [],
    fetchIceServers: options.fetchIceServers ?? (async () => []),
    local: { microphone: microphone!, camera: camera!, stream: stream as unknown as MediaStream },
    createPeerConnection: (config, target) => {
      const pc = new FakePeerConnection(target, config);
      options.onPeerConnection?.(pc);
      pcs[target] = pc;
      return pc as unknown as RTCPeerConnection;
    },
  });
  calls.push(call);
  return { call, transport, pcs };
}
