// @vitest-environment happy-dom
import { cleanup, screen, waitFor, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { disposePinia, type Pinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PrivateCloseReason } from "@videochat/protocol";
import { alice, bob, chatWithBob, privateMessage, renderPrivate, requests, server } from "./privateHarness";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

const region = () => screen.getByRole("region", { name: "Private chat with Bob" });
const inChat = () => within(region());
const box = () => inChat().getByRole("textbox", { name: "Private message" }) as HTMLTextAreaElement;
/** The log's messages as "Author text". */
const lines = () =>
  within(inChat().getByRole("log", { name: "Private messages" }))
    .queryAllByRole("listitem")
    .filter((item) => !item.classList.contains("day")) // the day separators ("Today")
    .map((item) => {
      const author = item.querySelector(".author")?.textContent?.trim();
      return `${author} ${item.querySelector(".message-text")?.textContent}`;
    });
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

let pinia: Pinia;
beforeEach(() => {
  pinia = renderPrivate();
});
afterEach(() => {
  cleanup();
  disposePinia(pinia);
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("opening a private chat", () => {
  it("opens from the member list with a log, a composer and the chat's buttons", async () => {
    const user = userEvent.setup();
    expect(screen.queryByRole("region", { name: "Private chat with Bob" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Private chat with Bob" }));
    expect(requests("private:open")).toEqual([{ with: bob.id }]);
    server.serverEmit("private:opened", { chat: chatWithBob, messages: [] });
    await screen.findByRole("region", { name: "Private chat with Bob" });
    expect(inChat().getByRole("log", { name: "Private messages" })).toBeTruthy();
    expect(box().disabled).toBe(false);
    for (const name of ["Send", "Close chat", "Video call"]) {
      expect(inChat().getByRole("button", { name })).toBeTruthy();
    }
  });

  it("says when the partner is busy, in a live region that was there before", async () => {
    const notices = screen.getByRole("status", { name: "Private chat notices" });
    expect(notices.textContent).toBe("");
    server.request.mockResolvedValueOnce({
      ok: false,
      error: { code: "partner_busy", message: "Bob is already talking with someone else" },
    });
    await userEvent.setup().click(screen.getByRole("button", { name: "Private chat with Bob" }));
    await waitFor(() => expect(notices.textContent).toBe("Bob is already talking with someone else"));
    expect(screen.queryByRole("region", { name: "Private chat with Bob" })).toBeNull();
  });

  it("asks for notification permission when the user opens a chat", async () => {
    const requestPermission = vi.fn(async () => "granted");
    vi.stubGlobal("Notification", Object.assign(vi.fn(), { permission: "default", requestPermission }));
    await userEvent.setup().click(screen.getByRole("button", { name: "Private chat with Bob" }));
    expect(requestPermission).toHaveBeenCalledTimes(1);
  });
});

describe("in a private chat", () => {
  beforeEach(() => server.serverEmit("private:opened", { chat: chatWithBob, messages: [] }));

  it("sends on Enter, adds a line on Shift+Enter, and shows the sent message once", async () => {
    const user = userEvent.setup();
    await user.type(box(), "hi{Shift>}{Enter}{/Shift}there{Enter}");
    expect(requests("private:message")).toEqual([{ text: "hi\nthere" }]);
    await waitFor(() => expect(lines()).toEqual(["Alice hi\nthere"]));
    expect(box().value).toBe("");
    // The same message comes back as an event: still one line.
    const sent = (await server.request.mock.results.at(-1)!.value) as { message: { id: number } };
    server.serverEmit("private:message", { ...privateMessage(sent.message.id, "hi\nthere", alice) });
    await tick();
    expect(lines()).toEqual(["Alice hi\nthere"]);
  });

  it("shows missed and declined calls as lines in the history, each from the reader's side", async () => {
    // `from` is the caller: Bob's calls reached Alice; Alice's reached Bob.
    server.serverEmit("private:message", { ...privateMessage(1, "Missed call", bob), call: "missed" });
    server.serverEmit("private:message", { ...privateMessage(2, "Declined call", bob), call: "declined" });
    server.serverEmit("private:message", { ...privateMessage(3, "Missed call", alice), call: "missed" });
    server.serverEmit("private:message", { ...privateMessage(4, "Declined call", alice), call: "declined" });
    await tick();
    const items = within(inChat().getByRole("log", { name: "Private messages" })).getAllByRole("listitem");
    expect(items.map((item) => item.textContent?.replace(/\s+/g, " ").trim())).toEqual([
      "Today",
      expect.stringMatching(/^Missed call from Bob · \d/),
      expect.stringMatching(/^Declined call from Bob · \d/),
      expect.stringMatching(/^Bob didn't answer · \d/),
      expect.stringMatching(/^Bob declined your call · \d/),
    ]);
  });

  it("says how long to wait when sending too fast, and keeps what was typed", async () => {
    const friendly = server.request.getMockImplementation()!;
    server.request.mockImplementation(async (event, payload) =>
      event === "private:message"
        ? {
            ok: false,
            error: {
              code: "rate_limited",
              message: "You are sending too fast. Try again in 3 s.",
              retryAfterMs: 2_500,
            },
          }
        : friendly(event, payload),
    );
    try {
      await userEvent.setup().type(box(), "one more{Enter}");
      expect((await inChat().findByRole("alert")).textContent).toContain(
        "You are sending too fast. Try again in 3 s.",
      );
      expect(box().value).toBe("one more");
      expect(lines()).toEqual([]);
    } finally {
      server.request.mockImplementation(friendly);
    }
  });

  it("merges the messages a resume re-sends, without duplicates", async () => {
    server.serverEmit("private:message", privateMessage(1, "one"));
    server.serverEmit("private:message", privateMessage(3, "three"));
    // Reconnected: the server sends the chat again with everything it holds.
    server.serverEmit("private:opened", {
      chat: chatWithBob,
      messages: [privateMessage(1, "one"), privateMessage(2, "two"), privateMessage(3, "three")],
    });
    await tick();
    expect(lines()).toEqual(["Bob one", "Bob two", "Bob three"]);
  });

  it("keeps the chat readable when Bob closes it, with the composer disabled", async () => {
    server.serverEmit("private:message", privateMessage(1, "bye"));
    await tick();
    const notice = inChat().getByRole("status", { name: "Chat notices" });
    expect(notice.textContent).toBe("");
    server.serverEmit("private:closed", { chatId: chatWithBob.id, by: chatWithBob.with, reason: "closed" });
    await waitFor(() => expect(notice.textContent).toBe("Bob has closed the chat"));
    expect(lines()).toEqual(["Bob bye"]);
    expect(box().disabled).toBe(true);
    expect((inChat().getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(true);
    expect((inChat().getByRole("button", { name: "Video call" }) as HTMLButtonElement).disabled).toBe(true);

    // Putting it away needs no server: the chat is already over there.
    await userEvent.setup().click(inChat().getByRole("button", { name: "Close chat" }));
    expect(screen.queryByRole("region", { name: "Private chat with Bob" })).toBeNull();
    expect(requests("private:close")).toEqual([]);
  });

  it.each<[PrivateCloseReason, string]>([
    ["left_room", "Bob left the room"],
    ["left", "Bob has left"],
    ["timeout", "Bob disconnected"],
  ])("words a chat ended by %s as %j", async (reason, text) => {
    server.serverEmit("private:closed", { chatId: chatWithBob.id, by: chatWithBob.with, reason });
    await waitFor(() => expect(inChat().getByText(text)).toBeTruthy());
    expect(box().disabled).toBe(true);
  });

  it("closes at once for the one who clicks Close chat", async () => {
    await userEvent.setup().click(inChat().getByRole("button", { name: "Close chat" }));
    expect(requests("private:close")).toEqual([{}]);
    await waitFor(() => expect(screen.queryByRole("region", { name: "Private chat with Bob" })).toBeNull());
    server.serverEmit("private:closed", {
      chatId: chatWithBob.id,
      by: { id: alice.id, name: alice.name },
      reason: "closed",
    });
    await tick();
    expect(screen.queryByRole("region", { name: "Private chat with Bob" })).toBeNull();
  });

  it("shows that Bob is typing, and stops after a while without news", async () => {
    vi.useFakeTimers();
    server.serverEmit("private:typing", { chatId: chatWithBob.id, typing: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(inChat().getByText("Bob is typing…")).toBeTruthy();
    await vi.advanceTimersByTimeAsync(4000);
    server.serverEmit("private:typing", { chatId: chatWithBob.id, typing: true }); // refreshed
    await vi.advanceTimersByTimeAsync(4000);
    expect(inChat().queryByText("Bob is typing…")).toBeTruthy();
    await vi.advanceTimersByTimeAsync(1000);
    expect(inChat().queryByText("Bob is typing…")).toBeNull();

    server.serverEmit("private:typing", { chatId: chatWithBob.id, typing: true });
    server.serverEmit("private:message", privateMessage(1, "done")); // a message ends the typing
    await vi.advanceTimersByTimeAsync(0);
    expect(inChat().queryByText("Bob is typing…")).toBeNull();
  });

  it("tells Bob it is typing at most every 2 s, and stops after 3 s idle or on send", async () => {
    vi.useFakeTimers();
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    const typing = () => requests("private:typing").map((p) => (p as { typing: boolean }).typing);
    await user.type(box(), "abc");
    expect(typing()).toEqual([true]);
    await vi.advanceTimersByTimeAsync(2100);
    await user.type(box(), "d");
    expect(typing()).toEqual([true, true]);
    await vi.advanceTimersByTimeAsync(3000);
    expect(typing()).toEqual([true, true, false]);
    await user.type(box(), "e{Enter}");
    expect(typing()).toEqual([true, true, false, true, false]);
  });
});

describe("while the tab is in the background", () => {
  let hidden = true;
  beforeEach(() => {
    hidden = true;
    Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
    document.title = "Video Chat";
  });
  afterEach(() => {
    hidden = false;
  });

  it("counts a new chat and its messages in the title and notifies, until the tab is shown", async () => {
    const shown: [string, NotificationOptions | undefined][] = [];
    const FakeNotification = vi.fn(function (this: object, title: string, options?: NotificationOptions) {
      shown.push([title, options]);
    });
    vi.stubGlobal("Notification", Object.assign(FakeNotification, { permission: "granted" }));
    server.serverEmit("private:opened", { chat: chatWithBob, messages: [] });
    server.serverEmit("private:message", privateMessage(1, "are you there?"));
    await tick();
    expect(document.title).toBe("(2) Video Chat");
    expect(shown.map(([title, options]) => `${title}: ${options?.body}`)).toEqual([
      "Private chat with Bob: A private chat with Bob is open.",
      "Bob: are you there?",
    ]);

    hidden = false;
    document.dispatchEvent(new Event("visibilitychange"));
    await tick();
    expect(document.title).toBe("Video Chat");
  });
});
