// @vitest-environment happy-dom
import { cleanup, screen, waitFor } from "@testing-library/vue";
import { disposePinia, type Pinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { typingLine } from "../src/features/chat/roomTypingStore";
import { openRoomTab, requests, resetRoomTab, server } from "./roomHarness";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

describe("the room typing line", () => {
  it("words one, two and many typists", () => {
    expect(typingLine([])).toBe("");
    expect(typingLine(["Ben"])).toBe("Ben is typing…");
    expect(typingLine(["Ben", "Cy"])).toBe("Ben and Cy are typing…");
    expect(typingLine(["Ben", "Cy", "Dee"])).toBe("Ben, Cy and 1 other are typing…");
    expect(typingLine(["Ben", "Cy", "Dee", "Eve"])).toBe("Ben, Cy and 2 others are typing…");
  });
});

describe("typing in the room", () => {
  let pinia: Pinia | undefined;
  beforeEach(resetRoomTab);
  afterEach(() => {
    cleanup();
    if (pinia) disposePinia(pinia);
    vi.unstubAllGlobals();
  });

  it("shows who is typing until they send or stop, and tells the room while we type", async () => {
    const tab = await openRoomTab("/room/LOBBY");
    pinia = tab.pinia;
    const ben = { id: "u-ben", name: "Ben" };
    server.serverEmit("room:typing", { room: "LOBBY", user: ben, typing: true });
    server.serverEmit("room:typing", { room: "LOBBY", user: { id: "u-cy", name: "Cy" }, typing: true });
    expect(await screen.findByText("Ben and Cy are typing…")).toBeTruthy();
    server.serverEmit("room:message", { id: 9, room: "LOBBY", from: ben, text: "done", at: Date.now() });
    expect(await screen.findByText("Cy is typing…")).toBeTruthy();
    server.serverEmit("room:typing", { room: "SPORTS", user: ben, typing: true }); // another room
    server.serverEmit("room:typing", { room: "LOBBY", user: { id: "u-cy", name: "Cy" }, typing: false });
    await waitFor(() => expect(screen.queryByText(/typing…/)).toBeNull());

    await tab.user.type(screen.getByRole("textbox", { name: "Message" }), "hel");
    expect(requests("room:typing")).toEqual([{ typing: true }]);
    await tab.user.keyboard("{Enter}");
    expect(requests("room:typing")).toEqual([{ typing: true }, { typing: false }]);
  });
});
