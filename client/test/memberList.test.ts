// @vitest-environment happy-dom
import { cleanup, render, screen, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { createPinia, disposePinia, type Pinia, setActivePinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { defineComponent, h } from "vue";
import MemberList from "../src/features/room/MemberList.vue";
import * as socketModule from "../src/features/session/socket";
import { useRoomStore } from "../src/features/room/roomStore";
import { useSessionStore } from "../src/features/session/sessionStore";
import type { FakeSocketModule } from "./fakeSocket";
import { alice, bob, carol, readyAsAlice } from "./fixtures";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);
const server = socketModule as unknown as FakeSocketModule;

const ready = readyAsAlice();

/** The member list as the room screen wires it: the room store's members, the session's own id. */
const RoomMembers = defineComponent(() => {
  const room = useRoomStore();
  const session = useSessionStore();
  return () => h(MemberList, { members: room.members, selfId: session.user?.id ?? null });
});

/** Each row's text, e.g. "Alice (you) online". */
function rows(): string[] {
  const list = screen.getByRole("list", { name: "Members" });
  return within(list)
    .queryAllByRole("listitem")
    .map((item) => item.textContent!.replace(/\s+/g, " ").trim());
}

let pinia: Pinia;
beforeEach(() => {
  sessionStorage.clear();
  pinia = createPinia();
  setActivePinia(pinia);
  render(RoomMembers, { global: { plugins: [pinia] } });
  server.serverEmit("session:ready", ready);
});
afterEach(() => {
  cleanup();
  disposePinia(pinia); // the stores stop listening to the shared fake socket
});

describe("member list", () => {
  it("shows each member's name and status, sorted by name, and marks you", async () => {
    server.serverEmit("room:state", {
      roomSeq: 0,
      room: "LOBBY",
      version: 3,
      members: [bob, { ...carol, status: "unavailable" }, alice],
      history: [],
    });
    await Promise.resolve();
    expect(rows()).toEqual(["Alice (you) online", "Bob online Chat", "Carol unavailable Chat"]);
  });

  it("keeps deltas that arrive before the room's state and applies the newer ones", async () => {
    // Carol joined at version 6, Bob at 2 (already in the snapshot): both overtake the state.
    server.serverEmit("room:member-joined", { room: "LOBBY", version: 6, member: carol });
    server.serverEmit("room:member-joined", { room: "LOBBY", version: 2, member: bob });
    server.serverEmit("room:state", { roomSeq: 0, room: "LOBBY", version: 5, members: [alice], history: [] });
    await Promise.resolve();
    expect(rows()).toEqual(["Alice (you) online", "Carol online Chat"]);
  });

  it("lets no older delta undo a newer one, whatever order they arrive in", async () => {
    server.serverEmit("room:state", {
      roomSeq: 0,
      room: "LOBBY",
      version: 5,
      members: [alice, bob],
      history: [],
    });
    server.serverEmit("room:member-left", { room: "LOBBY", version: 8, member: bob, reason: "left" });
    server.serverEmit("room:member-updated", {
      room: "LOBBY",
      version: 7,
      member: { ...bob, status: "absent" },
    });
    server.serverEmit("room:member-updated", {
      room: "LOBBY",
      version: 9,
      member: { ...alice, status: "absent" },
    });
    server.serverEmit("room:member-joined", { room: "LOBBY", version: 4, member: carol });
    await Promise.resolve();
    expect(rows()).toEqual(["Alice (you) absent"]);
  });

  it("ignores deltas of another room", async () => {
    server.serverEmit("room:state", { roomSeq: 0, room: "LOBBY", version: 5, members: [alice], history: [] });
    server.serverEmit("room:member-joined", { room: "SPORTS", version: 9, member: bob });
    await Promise.resolve();
    expect(rows()).toEqual(["Alice (you) online"]);
  });

  it("offers a private chat with everyone but you, and says who is busy in one", async () => {
    server.serverEmit("room:state", {
      roomSeq: 0,
      room: "LOBBY",
      version: 5,
      members: [alice, { ...bob, busy: true }, carol],
      history: [],
    });
    await Promise.resolve();
    expect(rows()).toEqual(["Alice (you) online", "Bob online busy Chat", "Carol online Chat"]);
    const buttons = within(screen.getByRole("list", { name: "Members" })).getAllByRole("button");
    expect(buttons.map((b) => b.getAttribute("aria-label"))).toEqual([
      "Private chat with Bob",
      "Private chat with Carol",
    ]);

    // Bob's chat ends: the busy mark goes with the next update.
    server.serverEmit("room:member-updated", { room: "LOBBY", version: 6, member: bob });
    await Promise.resolve();
    expect(rows()[1]).toBe("Bob online Chat");
  });

  it("keeps the count in a disclosure button that folds the list away and back", async () => {
    server.serverEmit("room:state", {
      roomSeq: 0,
      room: "LOBBY",
      version: 5,
      members: [alice, bob, carol],
      history: [],
    });
    await Promise.resolve();
    const toggle = screen.getByRole("button", { name: "In this room 3 members" });
    expect(toggle.getAttribute("aria-expanded")).toBe("true"); // a wide screen starts unfolded
    await userEvent.setup().click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByRole("list", { name: "Members" })).toBeNull();
    server.serverEmit("room:member-left", { room: "LOBBY", version: 6, member: carol, reason: "left" });
    await screen.findByRole("button", { name: "In this room 2 members" }); // still counting, folded
    await userEvent.setup().click(toggle);
    expect(rows()).toEqual(["Alice (you) online", "Bob online Chat"]);
  });

  it("gives every member an initials avatar and their whole name on hover, however long", async () => {
    const long = { ...bob, id: "u-long", name: "Maximiliana Wolfeschlegelstein" };
    server.serverEmit("room:state", {
      roomSeq: 0,
      room: "LOBBY",
      version: 5,
      members: [alice, long],
      history: [],
    });
    await Promise.resolve();
    const item = within(screen.getByRole("list", { name: "Members" })).getAllByRole("listitem")[1]!;
    expect(within(item).getByTitle(long.name).textContent).toBe(long.name);
    const avatar = item.querySelector(".avatar")!;
    expect(avatar.getAttribute("data-initials")).toBe("MW");
    expect(avatar.getAttribute("aria-hidden")).toBe("true"); // the name beside it says it all
    expect(within(item).getByRole("button", { name: `Private chat with ${long.name}` })).toBeTruthy();
  });
});
