// @vitest-environment happy-dom
// Leaving a call as a side effect is asked first, as Meet and Discord do: moving to another room during
// a group call, Leave (the app) during a call, closing the private chat of a 1:1 call. "Stay in call" has
// the focus, Escape stays too; without a call nothing is asked.
import { cleanup, screen, waitFor, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { disposePinia, type Pinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Router } from "vue-router";
import { useGroupCallStore } from "../src/features/group-call/groupCallStore";
import { type FakeDevices, installFakeDevices } from "./fakeDevices";
import { openRoomTab, requests, resetRoomTab, server } from "./roomHarness";
import { chatWithBob, renderPrivate } from "./privateHarness";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

let pinia: Pinia | undefined;
let router: Router;
const dialog = () => screen.queryByRole("alertdialog");
const stage = () => screen.queryByRole("region", { name: "Call" });

let devices: FakeDevices;
beforeEach(() => {
  resetRoomTab();
  devices = installFakeDevices();
});
afterEach(() => {
  cleanup();
  if (pinia) disposePinia(pinia);
  pinia = undefined;
  vi.unstubAllGlobals();
});

/** Alice's tab in LOBBY, in a group call she started. */
async function inGroupCall() {
  const tab = await openRoomTab("/room/LOBBY");
  ({ pinia, router } = tab);
  await tab.user.click(await screen.findByRole("button", { name: "Start group call" }));
  await waitFor(() => expect(stage()).not.toBeNull());
  return tab.user;
}

describe("moving to another room during a group call", () => {
  it("asks first; Stay (focused) and Escape keep the call and the room", async () => {
    const user = await inGroupCall();
    await user.click(screen.getByRole("button", { name: "SPORTS", description: "(0)" }));
    const asked = await screen.findByRole("alertdialog", { name: "Leave the group call?" });
    expect(asked.textContent).toContain("Moving to SPORTS takes you out of this call.");
    const stay = within(asked).getByRole("button", { name: "Stay in call" });
    await waitFor(() => expect(document.activeElement).toBe(stay));
    await user.keyboard("{Escape}");
    await waitFor(() => expect(dialog()).toBeNull());
    expect(requests("room:join")).toEqual([]);
    expect(router.currentRoute.value.path).toBe("/room/LOBBY");
    expect(stage()).not.toBeNull();

    // Asked again, "Stay in call" by keyboard (Enter on the focused button) does the same.
    await user.click(screen.getByRole("button", { name: "SPORTS", description: "(0)" }));
    await screen.findByRole("alertdialog");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(dialog()).toBeNull());
    expect(requests("room:join")).toEqual([]);
    expect(requests("group:leave")).toEqual([]);
  });

  it("leaves the call and switches when the user says so", async () => {
    const user = await inGroupCall();
    await user.click(screen.getByRole("button", { name: "SPORTS", description: "(0)" }));
    const asked = await screen.findByRole("alertdialog", { name: "Leave the group call?" });
    await user.click(within(asked).getByRole("button", { name: "Leave call and switch" }));
    await waitFor(() => expect(requests("room:join")).toEqual([{ room: "SPORTS" }]));
    expect(router.currentRoute.value.path).toBe("/room/SPORTS");
  });

  it("asks for a move by the address bar too", async () => {
    await inGroupCall();
    const moving = router.push("/room/SPORTS");
    await screen.findByRole("alertdialog", { name: "Leave the group call?" });
    await userEvent.setup().click(screen.getByRole("button", { name: "Stay in call" }));
    await moving;
    expect(router.currentRoute.value.path).toBe("/room/LOBBY");
    expect(requests("room:join")).toEqual([]);
  });

  it("goes on without asking when the call ends while the question is open", async () => {
    const user = await inGroupCall();
    await user.click(screen.getByRole("button", { name: "SPORTS", description: "(0)" }));
    await screen.findByRole("alertdialog");
    useGroupCallStore(pinia).leave(); // as if Leave call were pressed in another way, or the call ended

    await waitFor(() => expect(router.currentRoute.value.path).toBe("/room/SPORTS"));
    expect(dialog()).toBeNull();
  });
});

describe("without a call", () => {
  it("switches rooms and leaves at once", async () => {
    const tab = await openRoomTab("/room/LOBBY");
    ({ pinia, router } = tab);
    await tab.user.click(screen.getByRole("button", { name: "SPORTS", description: "(0)" }));
    await waitFor(() => expect(router.currentRoute.value.path).toBe("/room/SPORTS"));
    expect(dialog()).toBeNull();
  });
});

describe("moving to another room with a private chat open and no call", () => {
  it("asks first, names the partner, and moves only on Close chat and switch", async () => {
    const tab = await openRoomTab("/room/LOBBY");
    ({ pinia, router } = tab);
    server.serverEmit("private:opened", { chat: chatWithBob, messages: [] });
    await screen.findByRole("region", { name: "Private chat with Bob" });
    await tab.user.click(screen.getByRole("button", { name: "SPORTS", description: "(0)" }));
    const asked = await screen.findByRole("alertdialog", { name: "Close your chat with Bob?" });
    expect(asked.textContent).toContain("Moving to SPORTS closes your private chat with Bob.");
    await tab.user.click(within(asked).getByRole("button", { name: "Stay here" }));
    await waitFor(() => expect(dialog()).toBeNull());
    expect(requests("room:join")).toEqual([]);
    expect(router.currentRoute.value.path).toBe("/room/LOBBY");

    await tab.user.click(screen.getByRole("button", { name: "SPORTS", description: "(0)" }));
    await tab.user.click(await screen.findByRole("button", { name: "Close chat and switch" }));
    await waitFor(() => expect(router.currentRoute.value.path).toBe("/room/SPORTS"));
  });

  it("does not ask once Bob has closed the chat", async () => {
    const tab = await openRoomTab("/room/LOBBY");
    ({ pinia, router } = tab);
    server.serverEmit("private:opened", { chat: chatWithBob, messages: [] });
    await screen.findByRole("region", { name: "Private chat with Bob" });
    server.serverEmit("private:closed", { chatId: chatWithBob.id, by: chatWithBob.with, reason: "closed" });
    await tab.user.click(screen.getByRole("button", { name: "SPORTS", description: "(0)" }));
    await waitFor(() => expect(router.currentRoute.value.path).toBe("/room/SPORTS"));
    expect(dialog()).toBeNull();
  });
});

describe("Leave (the app) during a call", () => {
  it("asks, and leaves only on End call and leave", async () => {
    const user = await inGroupCall();
    await user.click(screen.getByRole("button", { name: "Leave" }));
    const asked = await screen.findByRole("alertdialog", { name: "Leave the group call?" });
    expect(asked.textContent).toContain("Leaving Video Chat ends your call.");
    await user.click(within(asked).getByRole("button", { name: "Stay in call" }));
    expect(requests("session:leave")).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Leave" }));
    await user.click(await screen.findByRole("button", { name: "End call and leave" }));
    await screen.findByRole("button", { name: "Join" });
    expect(requests("session:leave")).toEqual([{}]);
  });
});

describe("Back to the join screen during a call", () => {
  it("asks, and stays on the room screen on Stay in call", async () => {
    await inGroupCall();
    const going = router.push("/");
    await screen.findByRole("alertdialog", { name: "Leave the group call?" });
    await userEvent.setup().click(screen.getByRole("button", { name: "Stay in call" }));
    await going;
    expect(router.currentRoute.value.path).toBe("/room/LOBBY");
    expect(stage()).not.toBeNull();
  });
});

describe("closing the private chat of a 1:1 call", () => {
  it("asks, names the partner, and closes only on End call and close", async () => {
    // No camera: the caller's ringing preview (a MediaStream happy-dom cannot play) stays closed.
    devices.fail("video", "NotFoundError");
    pinia = renderPrivate();
    server.serverEmit("private:opened", { chat: chatWithBob, messages: [] });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Video call" }));
    await waitFor(() => expect(stage()).not.toBeNull());
    const chat = screen.getByRole("region", { name: "Private chat with Bob" });
    await user.click(within(chat).getByRole("button", { name: "Close chat" }));
    const asked = await screen.findByRole("alertdialog", { name: "End your call with Bob?" });
    expect(asked.textContent).toContain("Closing the chat with Bob ends your call.");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(dialog()).toBeNull());
    expect(requests("private:close")).toEqual([]);
    await user.click(within(chat).getByRole("button", { name: "Close chat" }));
    await user.click(await screen.findByRole("button", { name: "End call and close" }));
    await waitFor(() => expect(requests("private:close")).toEqual([{}]));
  });
});

describe("a phone's chat during a call", () => {
  it("opens as a sheet over the stage with Back to call; Escape closes it; focus goes in and back to Chat", async () => {
    (window as unknown as { happyDOM: { setViewport(size: object): void } }).happyDOM.setViewport({
      width: 390,
      height: 844,
    });
    try {
      const user = await inGroupCall();
      const chat = within(stage()!).getByRole("button", { name: "Chat" });
      expect(chat.getAttribute("aria-pressed")).toBe("false"); // closed on a phone
      expect(screen.queryByRole("region", { name: "Chat and people" })).toBeNull();
      await user.click(chat);
      const sheet = await screen.findByRole("region", { name: "Chat and people" });
      const back = within(sheet).getByRole("button", { name: "Back to call" });
      await waitFor(() => expect(document.activeElement).toBe(back));
      expect(within(sheet).getByRole("log", { name: "Room chat" })).toBeTruthy();
      await user.keyboard("{Enter}");
      await waitFor(() => expect(chat.getAttribute("aria-pressed")).toBe("false"));
      await waitFor(() => expect(document.activeElement).toBe(chat));

      // Escape closes it too, from anywhere inside (here the room's message box), as a dialog closes.
      await user.click(chat);
      const again = await screen.findByRole("region", { name: "Chat and people" });
      await user.click(within(again).getByRole("textbox", { name: "Message" }));
      await user.keyboard("{Escape}");
      await waitFor(() => expect(screen.queryByRole("region", { name: "Chat and people" })).toBeNull());
      await waitFor(() => expect(document.activeElement).toBe(chat));
      expect(stage()).not.toBeNull(); // Escape leaves the sheet, never the call
    } finally {
      (window as unknown as { happyDOM: { setViewport(size: object): void } }).happyDOM.setViewport({
        width: 1024,
        height: 768,
      });
    }
  });
});
