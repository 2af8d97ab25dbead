// @vitest-environment happy-dom
// Where keyboard focus goes on the room screen: the message box after joining, the skip link, into a
// private chat when the user opens one, and back to the member when they close it.
import { cleanup, screen, waitFor, within } from "@testing-library/vue";
import { disposePinia, type Pinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openRoomTab, resetRoomTab, server } from "./roomHarness";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

let pinia: Pinia;
beforeEach(resetRoomTab);
afterEach(() => {
  cleanup();
  disposePinia(pinia);
  vi.unstubAllGlobals();
});

const focused = () => document.activeElement;

describe("focus on the room screen", () => {
  it("lands in the message box once the room opens", async () => {
    ({ pinia } = await openRoomTab("/room/LOBBY"));
    await waitFor(() => expect(focused()).toBe(screen.getByRole("textbox", { name: "Message" })));
  });

  it("offers a skip link to the chat as the first stop, which goes to the message box", async () => {
    const tab = await openRoomTab("/room/LOBBY");
    pinia = tab.pinia;
    (focused() as HTMLElement).blur();
    await tab.user.tab();
    const skip = screen.getByRole("link", { name: "Skip to chat" });
    expect(focused()).toBe(skip);
    await tab.user.keyboard("{Enter}");
    await waitFor(() => expect(focused()).toBe(screen.getByRole("textbox", { name: "Message" })));
  });

  it("moves into the private chat the user opens, and back to the member when they close it", async () => {
    const tab = await openRoomTab("/room/LOBBY");
    pinia = tab.pinia;
    await tab.user.click(screen.getByRole("button", { name: "Private chat with Bob" }));
    const chat = await screen.findByRole("region", { name: "Private chat with Bob" });
    await waitFor(() =>
      expect(focused()).toBe(within(chat).getByRole("textbox", { name: "Private message" })),
    );

    await tab.user.click(within(chat).getByRole("button", { name: "Close chat" }));
    await waitFor(() => expect(screen.queryByRole("region", { name: "Private chat with Bob" })).toBeNull());
    await waitFor(() =>
      expect(focused()).toBe(screen.getByRole("button", { name: "Private chat with Bob" })),
    );
  });

  it("does not take focus when someone else opens a chat", async () => {
    const tab = await openRoomTab("/room/LOBBY");
    pinia = tab.pinia;
    const message = screen.getByRole("textbox", { name: "Message" });
    await waitFor(() => expect(focused()).toBe(message));
    server.serverEmit("private:opened", {
      chat: { id: "c-1", with: { id: "u-bob", name: "Bob" } },
      messages: [],
    });
    await screen.findByRole("region", { name: "Private chat with Bob" });
    expect(focused()).toBe(message);
  });
});
