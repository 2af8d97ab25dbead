// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { createPinia, disposePinia, type Pinia, setActivePinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import MessageComposer from "../src/features/chat/MessageComposer.vue";
import * as socketModule from "../src/features/session/socket";
import type { FakeSocketModule } from "./fakeSocket";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);
const server = socketModule as unknown as FakeSocketModule;

function sentTexts(): string[] {
  return server.request.mock.calls
    .filter(([event]) => event === "room:message")
    .map(([, payload]) => (payload as { text: string }).text);
}

function messageBox(): HTMLTextAreaElement {
  return screen.getByRole("textbox", { name: "Message" }) as HTMLTextAreaElement;
}

const friendly = server.request.getMockImplementation()!;
/** The next `room:message` gets `answer`; everything else (typing notices) a friendly ack. */
function answerNextMessage(answer: () => Promise<unknown>): void {
  let used = false;
  server.request.mockImplementation(((event: string, payload: unknown) => {
    if (event !== "room:message" || used) return friendly(event as never, payload as never);
    used = true;
    return answer();
  }) as typeof friendly);
}

let pinia: Pinia;
beforeEach(() => {
  server.request.mockImplementation(friendly);
  server.request.mockClear();
  pinia = createPinia();
  setActivePinia(pinia);
  render(MessageComposer, { props: { maxLength: 20 }, global: { plugins: [pinia] } });
});
afterEach(() => {
  cleanup();
  disposePinia(pinia);
});

describe("message composer", () => {
  it("sends on Enter, adds a line on Shift+Enter, and empties the box once sent", async () => {
    const user = userEvent.setup();
    await user.type(messageBox(), "hello{Shift>}{Enter}{/Shift}world");
    expect(messageBox().value).toBe("hello\nworld");
    expect(sentTexts()).toEqual([]);
    await user.keyboard("{Enter}");
    expect(sentTexts()).toEqual(["hello\nworld"]);
    await waitFor(() => expect(messageBox().value).toBe(""));
  });

  it("shows why a send failed and keeps the text to try again with Send", async () => {
    answerNextMessage(async () => ({
      ok: false,
      error: { code: "rate_limited", message: "You are sending too fast." },
    }));
    const user = userEvent.setup();
    await user.type(messageBox(), "hello{Enter}");
    expect((await screen.findByRole("alert")).textContent).toContain("You are sending too fast.");
    expect(messageBox().value).toBe("hello");
    expect(messageBox().getAttribute("aria-describedby")).toBe(screen.getByRole("alert").id);

    await user.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(messageBox().value).toBe(""));
    expect(screen.queryByRole("alert")).toBeNull();
    expect(sentTexts()).toEqual(["hello", "hello"]);
  });

  it("says how long to wait when sending too fast, and keeps what was typed", async () => {
    answerNextMessage(async () => ({
      ok: false,
      error: {
        code: "rate_limited",
        message: "You are sending too fast. Try again in 3 s.",
        retryAfterMs: 2_500,
      },
    }));
    const user = userEvent.setup();
    await user.type(messageBox(), "quick one{Enter}");
    expect((await screen.findByRole("alert")).textContent).toContain(
      "You are sending too fast. Try again in 3 s.",
    );
    expect(messageBox().value).toBe("quick one");
  });

  it("refuses a message over the server's length limit without sending it", async () => {
    const user = userEvent.setup();
    await user.type(messageBox(), "x".repeat(21) + "{Enter}");
    expect((await screen.findByRole("alert")).textContent).toContain("at most 20 characters");
    expect(sentTexts()).toEqual([]);
  });

  it("sends nothing for text that shows nothing: spaces, zero-width and filler characters", async () => {
    const user = userEvent.setup();
    for (const text of ["   ", "\u200B\u200B", "\u2060", "\u2800", "\u3164"]) {
      await user.clear(messageBox());
      await user.type(messageBox(), `${text}{Enter}`);
    }
    expect(sentTexts()).toEqual([]);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("lets the next message be typed while one travels, and sends them in order", async () => {
    let answerFirst: (ack: unknown) => void = () => {};
    answerNextMessage(() => new Promise((resolve) => (answerFirst = resolve)));
    const user = userEvent.setup();
    await user.type(messageBox(), "one{Enter}");
    expect(messageBox().value).toBe("");
    await user.type(messageBox(), "two{Enter}");
    expect(sentTexts()).toEqual(["one"]); // "two" waits so it cannot overtake "one"

    answerFirst({
      ok: true,
      message: { id: 1, room: "LOBBY", from: { id: "u", name: "A" }, text: "one", at: 0 },
    });
    await waitFor(() => expect(sentTexts()).toEqual(["one", "two"]));
  });

  it("gives a failed message back ahead of what was typed since", async () => {
    let answerFirst: (ack: unknown) => void = () => {};
    answerNextMessage(() => new Promise((resolve) => (answerFirst = resolve)));
    const user = userEvent.setup();
    await user.type(messageBox(), "one{Enter}next");
    answerFirst({ ok: false, error: { code: "timeout", message: "No answer from the server. Try again." } });
    expect((await screen.findByRole("alert")).textContent).toContain("No answer from the server.");
    expect(messageBox().value).toBe("one\nnext");
  });
});
