// @vitest-environment happy-dom
// A screen share through the SFU: the sharer publishes it as a second video stream, naming its m-line
// so that Janus describes it as "screen" to the others; a receiver gives that stream the share's place
// (source "screen", the share's own tile), and drops it when the sharer says the share ended.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TrackSource } from "../src/webrtc/peer";
import { fakeStream, fakeTrack } from "./fakePeerConnection";
import { sfuCall, stopSfuCalls } from "./sfuHarness";

afterEach(stopSfuCalls);

const share = () => {
  const track = fakeTrack("video", "screen:0:0");
  return { track, stream: fakeStream([], [track]) } as unknown as {
    track: MediaStreamTrack;
    stream: MediaStream;
  };
};

describe("a screen share through the SFU", () => {
  it("is published as a second video stream whose m-line the server is told, and unpublished", async () => {
    const { call, transport, pcs } = sfuCall();
    await call.start();
    expect(transport.publish).toHaveBeenCalledTimes(1);
    expect(transport.publish.mock.calls[0]![1]).toBeUndefined();
    call.setScreen(share());
    await vi.waitFor(() => expect(transport.publish).toHaveBeenCalledTimes(2));
    const publisher = pcs.publisher!;
    const screen = publisher.transceivers[2]!;
    expect(screen.sender.track?.label).toBe("screen:0:0");
    expect(screen.direction).toBe("sendonly");
    expect(transport.publish.mock.calls[1]![1]).toBe(screen.mid);
    await vi.waitFor(() => expect(publisher.signalingState).toBe("stable"));
    // Stopping turns the stream off and publishes again; the next share reuses its m-line.
    call.setScreen(null);
    await vi.waitFor(() => expect(transport.publish).toHaveBeenCalledTimes(3));
    expect(screen.direction).toBe("inactive");
    expect(screen.sender.track).toBeNull();
    await vi.waitFor(() => expect(publisher.signalingState).toBe("stable"));
    call.setScreen(share());
    await vi.waitFor(() => expect(transport.publish).toHaveBeenCalledTimes(4));
    expect(publisher.transceivers).toHaveLength(3);
    expect(screen.direction).toBe("sendonly");
  });

  it("publishes a share under way again after the call moved to another node", async () => {
    const { call, transport, pcs } = sfuCall();
    call.setScreen(share()); // shared before the publisher was up
    await call.start();
    expect(pcs.publisher!.transceivers.map((t) => t.kind)).toEqual(["audio", "video", "video"]);
    expect(transport.publish.mock.calls[0]![1]).toBe("2");
    call.resync();
    await vi.waitFor(() => expect(transport.publish).toHaveBeenCalledTimes(2));
    expect(transport.publish.mock.calls[1]![1]).toBe("2");
  });

  it("gives a stream Janus describes as a screen the share's place, until the sharer stops", async () => {
    const { call, pcs } = sfuCall();
    call.setParticipants([{ id: "bob", name: "Bob" }]);
    const got: TrackSource[] = [];
    const gone: TrackSource[] = [];
    call.on("trackSubscribed", ({ source }) => got.push(source));
    call.on("trackUnsubscribed", ({ source }) => gone.push(source));
    const streams = [
      { mid: "0", userId: "bob", kind: "audio" as const },
      { mid: "1", userId: "bob", kind: "video" as const },
      { mid: "2", userId: "bob", kind: "video" as const, screen: true as const },
    ];
    await call.receiveOffer({ type: "offer", sdp: "janus offer" }, streams);
    const subscriber = pcs.subscriber!;
    for (const kind of ["audio", "video", "video"])
      subscriber.addTransceiver(kind, { direction: "recvonly" });
    for (const index of [0, 1, 2]) subscriber.deliverTrack(index);
    expect(got).toEqual(["microphone", "camera", "screen"]);
    expect(Object.keys(call.participant("bob")!.tracks).sort()).toEqual(["camera", "microphone", "screen"]);
    call.setRemoteMedia("bob", { audio: true, video: true, screen: false });
    expect(gone).toEqual(["screen"]);
    expect(call.participant("bob")!.tracks.screen).toBeUndefined();
  });
});
