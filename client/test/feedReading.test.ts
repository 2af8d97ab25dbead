// @vitest-environment happy-dom
// Reading the logs: links in messages, and "Jump to newest" while the reader is scrolled up.
import { cleanup, render, screen, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import type { ChatMessage, PrivateMessage } from "@videochat/protocol";
import ChatFeed from "../src/features/chat/ChatFeed.vue";
import PrivateLog from "../src/features/private/PrivateLog.vue";
import type { FeedEntry } from "../src/features/chat/feed";
import { alice, bob } from "./fixtures";
import { createMessageActions } from "../src/features/messages/messageActions";

const actions = createMessageActions("room", () => {});

const at = new Date(2025, 0, 2, 9, 5).getTime();
const from = { id: bob.id, name: bob.name };

function entry(id: number, text: string): FeedEntry {
  const message: ChatMessage = { id, room: "LOBBY", from, text, at };
  return { kind: "message", key: `m${id}`, message };
}
const privateMessage = (id: number, text: string): PrivateMessage => ({ id, chatId: "c", from, text, at });

/**
 * happy-dom has no layout: the log gets the sizes of a log holding more than it shows, scrolled to its
 * newest entry as a browser shows it (so that a reader's scroll to an older one is a move up).
 */
function giveLayout(log: HTMLElement, height = 2000): void {
  Object.defineProperty(log, "scrollHeight", { configurable: true, get: () => height });
  Object.defineProperty(log, "clientHeight", { configurable: true, get: () => 300 });
  scrollTo(log, height - 300);
}

function scrollTo(log: HTMLElement, top: number): void {
  log.scrollTop = top;
  log.dispatchEvent(new Event("scroll"));
}

/** A private log of 30 messages, scrolled to its top: "Jump to newest" is showing. */
async function privateLogScrolledUp() {
  const messages = Array.from({ length: 30 }, (_, i) => privateMessage(i + 1, `message ${i + 1}`));
  const { rerender } = render(PrivateLog, {
    props: { messages, selfId: alice.id, actions, partnerName: "Bob" },
  });
  const log = screen.getByRole("log", { name: "Private messages" });
  giveLayout(log);
  scrollTo(log, 0);
  await screen.findByRole("button", { name: "Jump to newest" });
  return { messages, rerender, log };
}

afterEach(cleanup);

describe("links in messages", () => {
  it("makes http, https and mailto links clickable, opening in a new tab without an opener", () => {
    const text = "see https://example.com/a?b=1, www.example.org or mail bob@example.com.";
    render(ChatFeed, { props: { entries: [entry(1, text)], room: "LOBBY", selfId: alice.id, actions } });
    const log = screen.getByRole("log", { name: "Room chat" });
    const links = within(log).getAllByRole("link");
    expect(links.map((link) => [link.textContent, link.getAttribute("href")])).toEqual([
      ["https://example.com/a?b=1", "https://example.com/a?b=1"],
      ["www.example.org", "http://www.example.org/"],
      ["bob@example.com", "mailto:bob@example.com"],
    ]);
    for (const link of links) {
      expect(link.getAttribute("target")).toBe("_blank");
      expect(link.getAttribute("rel")).toBe("noopener noreferrer");
    }
    // The text around the links is all there, in order.
    expect(log.querySelector(".message-text")?.textContent).toBe(text);
  });

  it("links nothing else: no javascript:, data:, ftp: or protocol-relative links, and no markup", () => {
    const text =
      'javascript:alert(1) data:text/html,<b>x</b> ftp://example.com //example.net <a href="x">y</a>';
    render(PrivateLog, {
      props: { messages: [privateMessage(1, text)], selfId: alice.id, actions, partnerName: "Bob" },
    });
    const log = screen.getByRole("log", { name: "Private messages" });
    expect(within(log).queryAllByRole("link")).toEqual([]);
    expect(log.querySelector("b")).toBeNull();
    expect(log.querySelector(".message-text")?.textContent).toBe(text);
  });
});

describe("jump to newest", () => {
  it("appears when the reader scrolls up in the room feed, counts new messages, and brings them down", async () => {
    const entries = Array.from({ length: 30 }, (_, i) => entry(i + 1, `message ${i + 1}`));
    const { rerender } = render(ChatFeed, { props: { entries, room: "LOBBY", selfId: alice.id, actions } });
    const log = screen.getByRole("log", { name: "Room chat" });
    giveLayout(log);
    expect(screen.queryByRole("button", { name: "Jump to newest" })).toBeNull();

    scrollTo(log, 200);
    const jump = await screen.findByRole("button", { name: "Jump to newest" });
    await rerender({ entries: [...entries, entry(31, "new one"), entry(32, "and another")] });
    expect(screen.getByText("2 new messages")).toBeTruthy();
    expect(log.scrollTop).toBe(200); // the reader stays where they were reading

    await userEvent.setup().click(jump);
    expect(log.scrollTop).toBe(2000);
    expect(screen.queryByRole("button", { name: "Jump to newest" })).toBeNull();
    expect(document.activeElement).toBe(log); // not lost with the button
  });

  it("keeps following when the layout re-wraps the feed taller (a private chat opened beside it)", async () => {
    const entries = Array.from({ length: 30 }, (_, i) => entry(i + 1, `message ${i + 1}`));
    const { rerender } = render(ChatFeed, { props: { entries, room: "LOBBY", selfId: alice.id, actions } });
    const log = screen.getByRole("log", { name: "Room chat" });
    giveLayout(log);
    // Narrower, the same messages take more lines; the browser fires a scroll where the log was, now
    // 400 px short of the bottom, though the reader did not move up.
    Object.defineProperty(log, "scrollHeight", { configurable: true, get: () => 2400 });
    scrollTo(log, 1700);
    expect(screen.queryByRole("button", { name: "Jump to newest" })).toBeNull();
    await rerender({ entries: [...entries, entry(31, "new one")] });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(log.scrollTop).toBe(2400);
  });

  it("goes away when the reader scrolls back down by hand, in the private chat too", async () => {
    const { messages, rerender, log } = await privateLogScrolledUp();
    await rerender({ messages: [...messages, privateMessage(31, "hello?")] });
    expect(screen.getByText("1 new message")).toBeTruthy();

    scrollTo(log, 1700); // within reach of the bottom
    await rerender({ messages: [...messages, privateMessage(31, "hello?")] });
    expect(screen.queryByRole("button", { name: "Jump to newest" })).toBeNull();
    expect(screen.queryByText("1 new message")).toBeNull();
  });

  it("brings the reader down when they send a message themselves", async () => {
    const { messages, rerender, log } = await privateLogScrolledUp();
    const own = { ...privateMessage(31, "me"), from: { id: alice.id, name: alice.name } };
    await rerender({ messages: [...messages, own] });
    await new Promise((resolve) => setTimeout(resolve, 0)); // the log scrolls after the render
    expect(log.scrollTop).toBe(2000);
    expect(screen.queryByRole("button", { name: "Jump to newest" })).toBeNull();
  });
});
