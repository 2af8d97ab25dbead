// The simulated SFU participants' synthetic VP8 (scripts/sfu-sim/vp8.ts): what they send is read back
// as a frame start, a key frame where one was sent, and a packet that continues a frame is no start.
import { expect, it } from "vitest";
import { vp8FrameStart, vp8Payload } from "../sfu-sim/vp8.js";

it("reads a synthetic key frame and delta frame back as frame starts", () => {
  const key = vp8Payload(0x1234, true, 1600);
  expect(key.length).toBe(1600);
  expect(vp8FrameStart(key)).toEqual({ start: true, keyframe: true });
  // Key frame start code after the 4-byte descriptor and the 3-byte frame tag.
  expect([...key.subarray(7, 10)]).toEqual([0x9d, 0x01, 0x2a]);
  expect(vp8FrameStart(vp8Payload(7, false, 800))).toEqual({ start: true, keyframe: false });
});

it("does not count a packet that continues a frame, nor one without a descriptor", () => {
  const middle = vp8Payload(1, false, 800);
  middle[0] = middle[0]! & ~0x10; // S=0: not the start of a partition
  expect(vp8FrameStart(middle).start).toBe(false);
  expect(vp8FrameStart(Buffer.from([0x10])).start).toBe(false);
  // A descriptor without extension: the payload header follows the first byte.
  expect(vp8FrameStart(Buffer.from([0x10, 0x00, 0x00, 0x00]))).toEqual({ start: true, keyframe: true });
});
