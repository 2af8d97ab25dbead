// @vitest-environment happy-dom
// The call stage: a tile per person by role and name, initials while a camera is off, the muted badge
// from call:media, a screen share as a tile of its own, full screen, and who is speaking.
import { waitFor, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { loudest } from "../src/webrtc/audioLevel";
import { requests } from "./privateHarness";
import { bobSays, inBobsCall, stage, tile, tileNames } from "./stageHarness";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

const badge = (name: string) => within(tile(name)).queryByRole("img", { name: "Microphone off" });
const showsInitials = (name: string) => tile(name).classList.contains("camera-off");
const initials = (name: string) => tile(name).querySelector(".avatar")?.getAttribute("data-initials");

const call = inBobsCall();

describe("the stage", () => {
  it("is a region named Call with a tile per person, named after them, oneself marked and silent", () => {
    expect(tileNames()).toEqual(["Alice (you)", "Bob"]);
    const self = tile("Alice (you)").querySelector("video")!;
    expect(self.hasAttribute("muted")).toBe(true);
    expect(tile("Bob").querySelector("video")!.hasAttribute("muted")).toBe(false);
    expect(stage().getByRole("button", { name: "Leave call" })).toBeTruthy();
  });

  it("shows initials until a person's camera arrives, and while they turn it off", async () => {
    expect(showsInitials("Bob")).toBe(true);
    expect(initials("Bob")).toBe("B");
    const pc = call.devices().pcs[0]!;
    pc.deliverTrack(0); // Bob's microphone
    pc.deliverTrack(1); // Bob's camera
    await waitFor(() => expect(showsInitials("Bob")).toBe(false));
    bobSays({ audio: true, video: false, screen: false });
    await waitFor(() => expect(showsInitials("Bob")).toBe(true));
    bobSays({ audio: true, video: true, screen: false });
    await waitFor(() => expect(showsInitials("Bob")).toBe(false));
  });

  it("puts the muted badge on whoever said their microphone is off", async () => {
    expect(badge("Bob")).toBeNull();
    bobSays({ audio: false, video: true, screen: false });
    await waitFor(() => expect(badge("Bob")).not.toBeNull());
    expect(badge("Alice (you)")).toBeNull();
    bobSays({ audio: true, video: true, screen: false });
    await waitFor(() => expect(badge("Bob")).toBeNull());
  });

  it("marks one's own muted microphone and tells the others", async () => {
    await userEvent.setup().click(stage().getByRole("button", { name: "Mute microphone" }));
    await waitFor(() => expect(badge("Alice (you)")).not.toBeNull());
    await waitFor(() =>
      expect(requests("call:media").at(-1)).toEqual({ audio: false, video: true, screen: false }),
    );
    expect(stage().getByRole("button", { name: "Unmute microphone" })).toBeTruthy();
  });

  it("gives a screen share its own tile, named after its owner, until it ends", async () => {
    const pc = call.devices().pcs[0]!;
    const index = pc.getTransceivers().length;
    pc.addTransceiver("video", { direction: "recvonly" }); // what Bob's share adds on Alice's side
    const share = new MediaStream();
    const track = pc.deliverTrack(index, share) as unknown as MediaStreamTrack;
    await waitFor(() => expect(tileNames()).toEqual(["Alice (you)", "Bob", "Bob's screen"]));
    expect(badge("Bob's screen")).toBeNull();
    share.addTrack(track);
    share.removeTrack(track); // the browser, once Bob stops sending it
    await waitFor(() => expect(tileNames()).toEqual(["Alice (you)", "Bob"]));
  });

  it("shows any tile full screen", async () => {
    const requestFullscreen = vi.fn(async () => {});
    HTMLElement.prototype.requestFullscreen = requestFullscreen;
    await userEvent.setup().click(within(tile("Bob")).getByRole("button", { name: "Show Bob full screen" }));
    expect(requestFullscreen.mock.contexts[0]).toBe(tile("Bob"));
  });
});

describe("who is speaking", () => {
  const levels = (entries: [string, number][]) => new Map(entries);

  it("is the loudest voice above room noise, or nobody", () => {
    expect(
      loudest(
        levels([
          ["a", 0.01],
          ["b", 0.005],
        ]),
        null,
      ),
    ).toBeNull();
    expect(
      loudest(
        levels([
          ["a", 0.05],
          ["b", 0.2],
        ]),
        null,
      ),
    ).toBe("b");
  });

  it("keeps the highlight unless someone else is clearly louder", () => {
    expect(
      loudest(
        levels([
          ["a", 0.1],
          ["b", 0.12],
        ]),
        "a",
      ),
    ).toBe("a");
    expect(
      loudest(
        levels([
          ["a", 0.1],
          ["b", 0.3],
        ]),
        "a",
      ),
    ).toBe("b");
    expect(
      loudest(
        levels([
          ["a", 0.0],
          ["b", 0.05],
        ]),
        "a",
      ),
    ).toBe("b");
  });
});
