// @vitest-environment happy-dom
import { describe, expect, it, vi } from "vitest";
import { mediaProblemText } from "../src/features/call/mediaText";
import { type LocalMedia, openLocalMedia } from "../src/webrtc/media";
import { fakeStream } from "./fakePeerConnection";

const refused = (name: string) => Promise.reject(new DOMException("refused", name));

/** A getUserMedia that grants only the kinds listed and refuses the rest with `error`. */
function devices(available: ("audio" | "video")[], error = "NotFoundError") {
  return vi.fn(async (constraints: MediaStreamConstraints) => {
    const wanted = (["audio", "video"] as const).filter((kind) => constraints[kind]);
    if (!wanted.every((kind) => available.includes(kind))) return refused(error);
    return fakeStream(wanted) as unknown as MediaStream;
  });
}

/** What the call says about `media` (webrtc/ names the problem; the call words it), with whom it is. */
const said = (media: LocalMedia, others?: string) => mediaProblemText(media.problem, others);

describe("local media with fallbacks", () => {
  it("takes camera and microphone when both work, with nothing to tell", async () => {
    const media = await openLocalMedia(devices(["audio", "video"]));
    expect(media).toMatchObject({ audio: true, video: true, problem: null });
    expect(said(media)).toBeNull();
  });

  it("falls back to audio only without a camera", async () => {
    const getUserMedia = devices(["audio"]);
    const media = await openLocalMedia(getUserMedia);
    expect(media).toMatchObject({ audio: true, video: false });
    expect(said(media)).toBe("Camera unavailable: you are on audio only.");
    expect(getUserMedia.mock.calls.map(([c]) => c)).toEqual([{ audio: true, video: true }, { audio: true }]);
  });

  it("falls back to video only without a microphone", async () => {
    const media = await openLocalMedia(devices(["video"], "OverconstrainedError"));
    expect(media).toMatchObject({ audio: false, video: true });
    expect(said(media)).toBe("Microphone unavailable: the others can see you but cannot hear you.");
    // In a 1:1 call, by the partner's name.
    const oneToOne = await openLocalMedia(devices(["video"]), {});
    expect(said(oneToOne, "Bob")).toBe("Microphone unavailable: Bob can see you but cannot hear you.");
  });

  it("receives only when there is no device at all, and says what that means", async () => {
    const media = await openLocalMedia(devices([]));
    expect(media).toMatchObject({ stream: null, audio: false, video: false });
    expect(said(media)).toBe(
      "No camera or microphone: you can see and hear the others, but they cannot see or hear you.",
    );
    expect(said(await openLocalMedia(devices([]), {}), "Bob")).toBe(
      "No camera or microphone: you can see and hear Bob, but they cannot see or hear you.",
    );
  });

  it("says access was blocked when the user denied it", async () => {
    const media = await openLocalMedia(devices([], "NotAllowedError"));
    expect(media.stream).toBeNull();
    expect(said(media)).toMatch(/^Camera and microphone blocked: .*site settings\.$/);
  });
});
