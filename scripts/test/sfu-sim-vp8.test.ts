// The simulated SFU participants' synthetic VP8 (scripts/sfu-sim/vp8.ts): what they send is read back
// as a key frame's start, and a packet that continues a frame is no start.
import { expect, it } from "vitest";
import { KEY_FRAME_SIZE, vp8FrameStart, vp8Payload } from "../sfu-sim/vp8.js";

it("sends a 320×240 VP8 key frame behind a descriptor that starts a frame", () => {
  const payload = vp8Payload(0x1234);
  expect(vp8FrameStart(payload)).toEqual({ start: true, keyframe: true });
  // The key frame's start code after the 4-byte descriptor and the 3-byte frame tag.
  expect([...payload.subarray(7, 10)]).toEqual([0x9d, 0x01, 0x2a]);
  expect(KEY_FRAME_SIZE).toEqual({ width: 320, height: 240 });
  // One RTP packet per frame: it fits a 1,500-byte MTU with the RTP and SRTP headers.
  expect(payload.length).toBeLessThan(1300);
});

it("does not count a packet that continues a frame, and reads a delta frame as no key frame", () => {
  const middle = vp8Payload(1);
  middle[0] = middle[0]! & ~0x10; // S=0: not the start of a partition
  expect(vp8FrameStart(middle).start).toBe(false);
  expect(vp8FrameStart(Buffer.from([0x10])).start).toBe(false);
  // A descriptor without extension, then a frame tag whose inverse key frame bit is set.
  expect(vp8FrameStart(Buffer.from([0x10, 0x01, 0x00, 0x00]))).toEqual({ start: true, keyframe: false });
});
