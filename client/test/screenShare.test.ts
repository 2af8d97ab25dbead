// @vitest-environment happy-dom
// Alice shares her screen in a call: a transceiver of its own on every connection (so it renegotiates),
// "Stop sharing", and the browser's own stop control (the track ends) taking the same way out.
import { screen, waitFor } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { expect, it, vi } from "vitest";
import { requests } from "./privateHarness";
import { inBobsCall, stage, tileNames } from "./stageHarness";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

const call = inBobsCall();

const button = (name: string) => stage().getByRole("button", { name });
const lastMedia = () => requests("call:media").at(-1);

async function share() {
  await userEvent.setup().click(button("Share screen"));
  await waitFor(() => expect(button("Stop sharing")).toBeTruthy());
  return call.devices().screens.at(-1)!;
}

it("sends the screen on a transceiver of its own, renegotiating, and says so", async () => {
  const pc = call.devices().pcs[0]!;
  const offers = pc.history.filter((entry) => entry.startsWith("local")).length;
  const track = await share();
  expect(call.devices().getDisplayMedia).toHaveBeenCalledTimes(1);
  expect(track.contentHint).toBe("detail");
  const screenTransceiver = pc.transceivers.at(-1)!;
  expect(screenTransceiver.sender.track).toBe(track);
  expect(screenTransceiver.direction).toBe("sendonly");
  // The camera's transceiver is untouched: the share is extra.
  expect(pc.transceivers.filter((t) => t.kind === "video")).toHaveLength(2);
  await waitFor(() => expect(pc.history.filter((e) => e.startsWith("local")).length).toBe(offers + 1));
  expect(lastMedia()).toEqual({ audio: true, video: true, screen: true });
  expect(screen.getByText("You are sharing your screen.")).toBeTruthy();
  // The sharer sees what the others see, on a preview tile of its own.
  expect(tileNames()).toEqual(["Alice (you)", "Bob", "Your screen"]);
  expect(button("Stop sharing").getAttribute("aria-pressed")).toBe("true");
});

it("Stop sharing ends the track and the transceiver's sending", async () => {
  const track = await share();
  await userEvent.setup().click(button("Stop sharing"));
  await waitFor(() => expect(button("Share screen")).toBeTruthy());
  expect(track.stop).toHaveBeenCalled();
  expect(call.devices().pcs[0]!.transceivers.at(-1)!.direction).toBe("inactive");
  expect(lastMedia()).toEqual({ audio: true, video: true, screen: false });
});

it("stops everywhere when the browser's own control ends the share", async () => {
  const track = await share();
  track.dispatchEvent(new Event("ended"));
  await waitFor(() => expect(button("Share screen")).toBeTruthy());
  expect(call.devices().pcs[0]!.transceivers.at(-1)!.direction).toBe("inactive");
  expect(lastMedia()).toEqual({ audio: true, video: true, screen: false });
  // Sharing again reuses the same transceiver rather than adding m-lines.
  const count = call.devices().pcs[0]!.transceivers.length;
  await share();
  expect(call.devices().pcs[0]!.transceivers).toHaveLength(count);
  expect(call.devices().pcs[0]!.transceivers.at(-1)!.direction).toBe("sendonly");
});

it("says nothing when the person closes the browser's picker", async () => {
  call.devices().getDisplayMedia.mockRejectedValueOnce(new DOMException("cancelled", "NotAllowedError"));
  await userEvent.setup().click(button("Share screen"));
  await waitFor(() => expect(call.devices().getDisplayMedia).toHaveBeenCalled());
  expect(stage().queryByRole("alert")).toBeNull();
  expect(button("Share screen")).toBeTruthy();
});
