// @vitest-environment happy-dom
// The call's control bar and tiles by role and name: icon toggles with aria-pressed and their words,
// Ctrl+D / Ctrl+E, the Chat toggle, the "More" menu (Layout: Grid / Speaker, Picture in picture, Hide
// self view, Call settings), Leave call red and last, and pinning a tile.
import { fireEvent, screen, waitFor, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { inBobsCall, stage, tile, tileNames } from "./stageHarness";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

inBobsCall();

const controls = () => within(stage().getByRole("toolbar", { name: "Call controls" }));
const control = (name: string) => controls().getByRole("button", { name });

async function openMore() {
  await userEvent.setup().click(control("More"));
  return within(await screen.findByRole("menu"));
}

describe("the control bar", () => {
  it("has every control by its words, Leave call last", () => {
    const names = controls()
      .getAllByRole("button")
      .map((button) => button.getAttribute("aria-label"));
    expect(names).toEqual([
      "Mute microphone",
      "Turn camera off",
      "Share screen",
      "Raise hand",
      "Reactions",
      "Call settings",
      "Chat",
      "More",
      "Leave call",
    ]);
  });

  it("turns the microphone and camera off and on, pressed and red while off", async () => {
    const user = userEvent.setup();
    expect(control("Mute microphone").getAttribute("aria-pressed")).toBe("false");
    await user.click(control("Mute microphone"));
    const unmute = control("Unmute microphone");
    expect(unmute.getAttribute("aria-pressed")).toBe("true");
    expect(unmute.classList.contains("is-danger")).toBe(true);
    await user.click(control("Turn camera off"));
    expect(control("Turn camera on").getAttribute("aria-pressed")).toBe("true");
  });

  it("toggles the microphone with Ctrl+D and the camera with Ctrl+E", async () => {
    fireEvent.keyDown(window, { key: "d", ctrlKey: true });
    await waitFor(() => expect(control("Unmute microphone")).toBeTruthy());
    fireEvent.keyDown(window, { key: "e", ctrlKey: true });
    await waitFor(() => expect(control("Turn camera on")).toBeTruthy());
    fireEvent.keyDown(window, { key: "d", ctrlKey: true });
    await waitFor(() => expect(control("Mute microphone")).toBeTruthy());
  });

  it("opens and closes the chat panel with Chat", async () => {
    const chat = control("Chat");
    const before = chat.getAttribute("aria-pressed");
    await userEvent.setup().click(chat);
    expect(chat.getAttribute("aria-pressed")).toBe(before === "true" ? "false" : "true");
  });
});

describe("the More menu", () => {
  it("offers the layout, picture in picture, the self view and Call settings", async () => {
    const menu = await openMore();
    const layout = menu.getByRole("group", { name: "Layout" });
    expect(within(layout).getByRole("menuitemradio", { name: "Grid" }).getAttribute("aria-checked")).toBe(
      "true",
    );
    expect(within(layout).getByRole("menuitemradio", { name: "Speaker" }).getAttribute("aria-checked")).toBe(
      "false",
    );
    for (const name of ["Picture in picture", "Hide self view", "Call settings"]) {
      expect(menu.getByRole("menuitem", { name })).toBeTruthy();
    }
  });

  it("hides and shows the self view", async () => {
    await userEvent.setup().click((await openMore()).getByRole("menuitem", { name: "Hide self view" }));
    await waitFor(() => expect(tileNames()).toEqual(["Bob"]));
    await userEvent.setup().click((await openMore()).getByRole("menuitem", { name: "Show self view" }));
    await waitFor(() => expect(tileNames()).toEqual(["Alice (you)", "Bob"]));
  });

  it("switches to the speaker layout", async () => {
    await userEvent.setup().click((await openMore()).getByRole("menuitemradio", { name: "Speaker" }));
    await waitFor(() =>
      expect(stage().getByRole("group", { name: "Bob" }).closest(".focus-main")).not.toBeNull(),
    );
  });
});

describe("a tile", () => {
  it("can be pinned and unpinned", async () => {
    const user = userEvent.setup();
    await user.click(within(tile("Bob")).getByRole("button", { name: "Pin Bob" }));
    expect(tile("Bob").classList.contains("pinned")).toBe(true);
    await user.click(within(tile("Bob")).getByRole("button", { name: "Unpin Bob" }));
    expect(tile("Bob").classList.contains("pinned")).toBe(false);
  });
});
