// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { createPinia, disposePinia, type Pinia, setActivePinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { defineComponent, h } from "vue";
import type { ChatMessage, Member } from "@videochat/protocol";
import ChatFeed from "../src/features/chat/ChatFeed.vue";
import * as socketModule from "../src/features/session/socket";
import { useChatStore } from "../src/features/chat/chatStore";
import { useRoomStore } from "../src/features/room/roomStore";
import type { FakeSocketModule } from "./fakeSocket";
import { alice, bob, carol, readyAsAlice } from "./fixtures";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);
const server = socketModule as unknown as FakeSocketModule;

const nineOFive = new Date(2025, 0, 2, 9, 5).getTime();

function message(id: number, text: string, room = "LOBBY"): ChatMessage {
  return { id, room, from: { id: bob.id, name: bob.name }, text, at: nineOFive };
}

const ready = readyAsAlice();

/** The feed as the room screen wires it. */
const RoomFeed = defineComponent(() => {
  const chat = useChatStore();
  useRoomStore(); // owns room:state and the deltas that become system lines
  return () => h(ChatFeed, { entries: chat.feed, room: chat.room, selfId: alice.id, actions: chat.actions });
});

/** What the log shows, one entry per line, e.g. "Bob 09:05 hello". */
function lines(): string[] {
  const log = screen.getByRole("log", { name: "Room chat" });
  return within(log)
    .queryAllByRole("listitem")
    .filter((item) => !item.classList.contains("day")) // the day separators ("Today")
    .map((item) => (item as HTMLElement).innerText.replace(/\s+/g, " ").trim());
}

const tick = () => Promise.resolve();

let pinia: Pinia;
beforeEach(() => {
  sessionStorage.clear();
  pinia = createPinia();
  setActivePinia(pinia);
  render(RoomFeed, { global: { plugins: [pinia] } });
  server.serverEmit("session:ready", ready);
  server.serverEmit("room:state", {
    roomSeq: 0,
    room: "LOBBY",
    version: 5,
    members: [alice, bob],
    history: [message(1, "first"), message(3, "third"), message(2, "second")],
  });
});
afterEach(() => {
  cleanup();
  disposePinia(pinia); // the stores stop listening to the shared fake socket
});

describe("room feed", () => {
  it("shows the history in id order with local HH:MM times", async () => {
    await tick();
    expect(lines()).toEqual(["Bob 09:05 first", "Bob 09:05 second", "Bob 09:05 third"]);
  });

  it("merges live and resumed messages by id, without duplicates", async () => {
    server.serverEmit("room:message", message(5, "fifth"));
    server.serverEmit("room:message", message(2, "second"));
    server.serverEmit("room:message", message(4, "fourth"));
    // A resume of the same room carries what was missed, overlapping what we have.
    server.serverEmit("room:state", {
      roomSeq: 0,
      room: "LOBBY",
      version: 6,
      members: [alice, bob],
      history: [message(5, "fifth"), message(6, "sixth")],
    });
    await tick();
    expect(lines().map((line) => line.split(" ").at(-1))).toEqual([
      "first",
      "second",
      "third",
      "fourth",
      "fifth",
      "sixth",
    ]);
  });

  it("shows the group call's kept lines as lines of the room, not as Bob's messages", async () => {
    server.serverEmit("room:message", { ...message(4, "Group call started"), call: "started" });
    server.serverEmit("room:message", message(5, "in the call"));
    server.serverEmit("room:message", {
      ...message(6, "Group call ended"),
      from: { id: "", name: "" },
      call: "ended",
    });
    await tick();
    expect(lines().slice(3)).toEqual([
      "Bob started a group call 09:05",
      "Bob 09:05 in the call",
      "The group call ended 09:05",
    ]);
    // Nothing to act on: no "Reply" or "Edit" on those lines.
    const log = screen.getByRole("log", { name: "Room chat" });
    const items = within(log).queryAllByRole("listitem");
    const started = items.find((item) => item.textContent?.includes("started a group call"))!;
    expect(within(started).queryByRole("button")).toBeNull();
  });

  it("asks before deleting one's own message: Cancel keeps it, Delete sends room:delete", async () => {
    server.serverEmit("room:message", { ...message(4, "oops"), from: { id: alice.id, name: alice.name } });
    await tick();
    const log = screen.getByRole("log", { name: "Room chat" });
    const mine = within(log)
      .queryAllByRole("listitem")
      .find((item) => item.textContent?.includes("oops"))!;
    const user = userEvent.setup();
    await user.click(within(mine).getByRole("button", { name: "Delete" }));
    const dialog = await screen.findByRole("alertdialog", { name: "Delete message" });
    expect(dialog.textContent).toContain("This cannot be undone.");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(server.request).not.toHaveBeenCalledWith("room:delete", expect.anything());
    await user.click(within(mine).getByRole("button", { name: "Delete" }));
    const again = await screen.findByRole("alertdialog", { name: "Delete message" });
    await user.click(within(again).getByRole("button", { name: "Delete" }));
    expect(server.request).toHaveBeenCalledWith("room:delete", { id: 4 });
    await waitFor(() => expect(lines().at(-1)).toMatch(/^Alice .*Message deleted$/));
  });

  it("replaces the feed when the state of another room arrives", async () => {
    server.serverEmit("room:state", {
      roomSeq: 0,
      room: "SPORTS",
      version: 1,
      members: [alice],
      history: [message(7, "goal!", "SPORTS")],
    });
    await tick();
    expect(lines()).toEqual(["Bob 09:05 goal!"]);
  });

  it("shows user text as text, never as markup", async () => {
    server.serverEmit("room:message", message(9, "<img src=x onerror=alert(1)><b>bold</b>"));
    await tick();
    const log = screen.getByRole("log", { name: "Room chat" });
    expect(log.querySelector("img, b")).toBeNull();
    expect(lines().at(-1)).toBe("Bob 09:05 <img src=x onerror=alert(1)><b>bold</b>");
  });

  it("tells who joined (one line a minute), left, moved or timed out, once each; status changes stay out", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(2025, 0, 2, 10, 30));
    const dan: Member = { id: "u-dan", name: "Dan", status: "online", busy: false };
    server.serverEmit("room:member-joined", { room: "LOBBY", version: 6, member: carol });
    server.serverEmit("room:member-joined", { room: "LOBBY", version: 6, member: carol }); // duplicate
    server.serverEmit("room:member-joined", { room: "LOBBY", version: 7, member: dan });
    server.serverEmit("room:member-updated", {
      room: "LOBBY",
      version: 8,
      member: { ...carol, status: "absent" },
    });
    server.serverEmit("room:member-left", {
      room: "LOBBY",
      version: 9,
      member: bob,
      reason: "moved",
      to: "SPORTS",
    });
    server.serverEmit("room:member-left", { room: "LOBBY", version: 10, member: dan, reason: "timeout" });
    server.serverEmit("room:member-left", { room: "LOBBY", version: 11, member: carol, reason: "left" });
    vi.useRealTimers();
    await tick();
    expect(lines().slice(3)).toEqual([
      "Carol and Dan joined 10:30",
      "Bob moved to SPORTS 10:30",
      "Dan timed out 10:30",
      "Carol left 10:30",
    ]);
  });
});
