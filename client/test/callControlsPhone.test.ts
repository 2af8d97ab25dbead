// @vitest-environment happy-dom
// The control bar on a phone (390 px wide): one row of microphone, camera, Reactions, Chat, More and
// Leave call; Share screen, Raise hand and Call settings are items of More under the same names; and no
// Share screen at all where the browser cannot share a screen (no getDisplayMedia).
import { cleanup, screen, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { disposePinia, type Pinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { installFakeDevices } from "./fakeDevices";
import { requests } from "./privateHarness";
import { callWithBob, joinBobsCall, stage } from "./stageHarness";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

let pinia: Pinia;

/** Bob in a group call on a 390×844 phone; `canShare: false` takes getDisplayMedia away first. */
async function onPhoneInCall({ canShare = true } = {}): Promise<void> {
  (window as unknown as { happyDOM: { setViewport(size: object): void } }).happyDOM.setViewport({
    width: 390,
    height: 844,
  });
  const devices = installFakeDevices();
  if (!canShare) delete (navigator.mediaDevices as Partial<MediaDevices>).getDisplayMedia;
  ({ pinia } = await joinBobsCall(devices));
}

afterEach(() => {
  cleanup();
  disposePinia(pinia);
  vi.unstubAllGlobals();
});

const controls = () => within(stage().getByRole("toolbar", { name: "Call controls" }));
const barNames = () =>
  controls()
    .getAllByRole("button")
    .map((button) => button.getAttribute("aria-label"));

async function moreItems(): Promise<string[]> {
  await userEvent.setup().click(controls().getByRole("button", { name: "More" }));
  const menu = within(await screen.findByRole("menu"));
  return menu.getAllByRole("menuitem").map((item) => item.textContent?.trim() ?? "");
}

describe("the control bar on a phone", () => {
  beforeEach(() => onPhoneInCall());

  it("keeps the main controls in one row, Leave call last", () => {
    expect(barNames()).toEqual([
      "Mute microphone",
      "Turn camera off",
      "Reactions",
      "Chat",
      "More",
      "Leave call",
    ]);
  });

  it("offers Share screen, Raise hand and Call settings in More", async () => {
    expect(await moreItems()).toEqual(
      expect.arrayContaining(["Share screen", "Raise hand", "Call settings"]),
    );
  });

  it("raises the hand from More, as the bar's button does", async () => {
    const user = userEvent.setup();
    await user.click(controls().getByRole("button", { name: "More" }));
    await user.click(within(await screen.findByRole("menu")).getByRole("menuitem", { name: "Raise hand" }));
    expect(requests("group:hand")).toEqual([{ callId: callWithBob.id, raised: true }]);
  });
});

describe("a browser that cannot share a screen", () => {
  it("shows no Share screen", async () => {
    await onPhoneInCall({ canShare: false });
    expect(await moreItems()).not.toContain("Share screen");
  });
});
