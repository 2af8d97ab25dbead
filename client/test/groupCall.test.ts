// @vitest-environment happy-dom
// The room's group call from Alice's tab, against the fake socket, with the real MeshCall and
// PeerSession on fake peer connections: start, join, invite, answer an invitation, leave.
import { cleanup, screen, waitFor, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { flushPromises } from "@vue/test-utils";
import { disposePinia, type Pinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { GroupCall, Member } from "@videochat/protocol";
import { type FakeDevices, installFakeDevices } from "./fakeDevices";
import { keptMedia } from "./fakeSocket";
import { alice, bob, carol, chatWithBob, renderPrivate, requests, server } from "./privateHarness";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

const ref = ({ id, name }: Member) => ({ id, name });
const groupCall = (participants: Member[], version = 1, id = "group-7"): GroupCall => ({
  id,
  room: "LOBBY",
  participants: participants.map(ref),
  version,
  max: 6,
  media: {},
});
const button = (name: string) => screen.getByRole("button", { name }) as HTMLButtonElement;
const findButton = async (name: string) => (await screen.findByRole("button", { name })) as HTMLButtonElement;
const stage = () => within(screen.getByRole("region", { name: "Call" }));
const tileNames = () =>
  screen
    .queryAllByRole("group")
    .map((tile) => tile.getAttribute("aria-label"))
    .sort();
const notice = () => screen.getByRole("status", { name: "Group call notices" }).textContent?.trim();
const signalsTo = (peer: string) =>
  (requests("group:signal") as { peer: string; description?: { type: string } }[]).filter(
    (signal) => signal.peer === peer,
  );

let devices: FakeDevices;
let pinia: Pinia;
beforeEach(() => {
  devices = installFakeDevices();
});
afterEach(() => {
  cleanup();
  disposePinia(pinia);
  vi.unstubAllGlobals();
});

describe("starting and joining", () => {
  it("starts a call alone, with a self-view and an Invite button for everyone else", async () => {
    pinia = renderPrivate();
    const user = userEvent.setup();
    await user.click(await findButton("Start group call"));
    expect(requests("group:start")).toEqual([{}]);
    await waitFor(() => expect(tileNames()).toEqual(["Alice (you)"]));
    expect(stage().getByText("Waiting for others to join…")).toBeTruthy();
    expect(button("Leave call")).toBeTruthy();
    expect(button("Invite Bob to the call")).toBeTruthy();
    expect(button("Invite Carol to the call")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Invite Alice to the call" })).toBeNull();
    expect(screen.getByRole("list", { name: "Members" }).textContent).toMatch(
      /Alice \(you\)\s*online\s*in call/,
    );
    expect(screen.getByText("Group call: Alice (1 of 6)")).toBeTruthy();
  });

  it("names the private chat in the way when the server refuses a start for it", async () => {
    pinia = renderPrivate();
    server.serverEmit("private:opened", { chat: chatWithBob, messages: [] });
    const friendly = server.request.getMockImplementation()!;
    server.request.mockImplementation(async (event, payload) =>
      event === "group:start"
        ? { ok: false, error: { code: "already_in_chat", message: "You are already talking with someone." } }
        : friendly(event, payload),
    );
    try {
      await userEvent.setup().click(await findButton("Start group call"));
      await waitFor(() => expect(notice()).toBe("You are in a private chat with Bob. Close it first."));
    } finally {
      server.request.mockImplementation(friendly);
    }
  });

  it("joins a call that is on, offers to everyone in it, and follows who comes and goes", async () => {
    pinia = renderPrivate({ groupCall: groupCall([bob]) });
    await screen.findByText("Group call: Bob (1 of 6)");
    await userEvent.setup().click(button("Join group call"));
    expect(requests("group:join")).toEqual([{ callId: "group-7" }]);
    await waitFor(() => expect(tileNames()).toEqual(["Alice (you)", "Bob"]));
    // The newcomer offers; Bob answers.
    await waitFor(() => expect(signalsTo(bob.id)[0]?.description?.type).toBe("offer"));
    const toBob = devices.pcs[0]!;
    server.serverEmit("group:signal", {
      callId: "group-7",
      peer: bob.id,
      description: { type: "answer", sdp: "bob's answer" },
    });
    await waitFor(() => expect(toBob.signalingState).toBe("stable"));
    expect(toBob.remoteDescription?.sdp).toBe("bob's answer");

    // Carol joins after Alice: Alice waits for Carol's offer.
    server.serverEmit("group:state", { room: "LOBBY", call: groupCall([bob, alice, carol], 3) });
    await waitFor(() => expect(tileNames()).toEqual(["Alice (you)", "Bob", "Carol"]));
    expect(devices.pcs).toHaveLength(2);
    expect(signalsTo(carol.id)).toEqual([]);

    // Bob leaves; a late state from before is ignored.
    server.serverEmit("group:state", { room: "LOBBY", call: groupCall([alice, carol], 4) });
    await waitFor(() => expect(tileNames()).toEqual(["Alice (you)", "Carol"]));
    expect(toBob.close).toHaveBeenCalled();
    server.serverEmit("group:state", { room: "LOBBY", call: groupCall([bob, alice, carol], 3) });
    expect(tileNames()).toEqual(["Alice (you)", "Carol"]);
  });

  it("says why Join group call is unavailable: in the call in another tab, or the call is full", async () => {
    pinia = renderPrivate({ groupCall: groupCall([bob, alice]) });
    const join = await findButton("Join group call");
    expect(join.disabled).toBe(true);
    expect(document.getElementById(join.getAttribute("aria-describedby")!)?.textContent).toBe(
      "You are in this call in another tab.",
    );
    server.serverEmit("group:state", { room: "LOBBY", call: { ...groupCall([bob, carol], 2), max: 2 } });
    await waitFor(() =>
      expect(document.getElementById(join.getAttribute("aria-describedby") ?? "")?.textContent).toBe(
        "The call is full: 2 people are in it.",
      ),
    );
    expect(join.disabled).toBe(true);
  });

  it("keeps showing a new call when the end of an older one arrives late", async () => {
    pinia = renderPrivate({ groupCall: groupCall([bob], 1, "group-1") });
    server.serverEmit("group:state", { room: "LOBBY", call: groupCall([carol], 1, "group-2") });
    await findButton("Join group call");
    // group-1's end, relayed by a slower instance, comes after group-2 began.
    server.serverEmit("group:state", { room: "LOBBY", call: null, endedCallId: "group-1" });
    server.serverEmit("group:state", { room: "LOBBY", call: groupCall([bob], 2, "group-1") });
    await flushPromises();
    expect(button("Join group call")).toBeTruthy();
    server.serverEmit("group:state", { room: "LOBBY", call: null, endedCallId: "group-2" });
    await waitFor(() => expect(screen.queryByRole("button", { name: "Join group call" })).toBeNull());
    expect(button("Start group call")).toBeTruthy();
  });

  it("shows the others' media as the server keeps it, and says its own once, not again at each join", async () => {
    keptMedia[bob.id] = { audio: false, video: true, screen: false };
    try {
      pinia = renderPrivate({ groupCall: groupCall([bob]) });
      await userEvent.setup().click(await findButton("Join group call"));
      const bobsTile = () => within(stage().getByRole("group", { name: "Bob" }));
      await waitFor(() => expect(bobsTile().getByRole("img", { name: "Microphone off" })).toBeTruthy());
      await waitFor(() => expect(requests("call:media")).toHaveLength(1));
      server.serverEmit("group:state", { room: "LOBBY", call: groupCall([bob, alice, carol], 3) });
      await waitFor(() => expect(devices.pcs).toHaveLength(2));
      expect(requests("call:media")).toHaveLength(1);
    } finally {
      delete keptMedia[bob.id];
    }
  });

  it("says the call is full when the server does, in its own words", async () => {
    pinia = renderPrivate({ groupCall: groupCall([bob]) });
    server.request.mockResolvedValueOnce({
      ok: false,
      error: { code: "call_full", message: "The group call is full." },
    });
    await userEvent.setup().click(await findButton("Join group call"));
    await waitFor(() => expect(notice()).toBe("The call is full: 6 people are in it."));
    expect(screen.queryByRole("region", { name: "Call" })).toBeNull();
    expect(button("Join group call").disabled).toBe(false);
  });

  it("offers no Join while the call has as many people as it may", async () => {
    const six = Array.from({ length: 6 }, (_, i) => ({ ...bob, id: `u-${i}`, name: `P${i}` }));
    pinia = renderPrivate({ groupCall: groupCall(six) });
    expect((await findButton("Join group call")).disabled).toBe(true);
  });
});

describe("inviting", () => {
  it("rings a member, and says when they are busy or decline", async () => {
    pinia = renderPrivate();
    const user = userEvent.setup();
    await user.click(await findButton("Start group call"));
    await user.click(await screen.findByRole("button", { name: "Invite Carol to the call" }));
    expect(requests("group:invite")).toEqual([{ with: carol.id }]);
    expect(notice()).toBe("Inviting Carol…");
    server.serverEmit("group:declined", { callId: "group-1", by: ref(carol), reason: "declined" });
    await waitFor(() => expect(notice()).toBe("Carol declined the invitation"));

    // Invited again, Carol joins: the line has done its work.
    await user.click(button("Invite Carol to the call"));
    expect(notice()).toBe("Inviting Carol…");
    server.serverEmit("group:state", { room: "LOBBY", call: groupCall([alice, carol], 2, "group-1") });
    await waitFor(() => expect(notice()).toBe(""));

    server.request.mockResolvedValueOnce({
      ok: false,
      error: { code: "partner_busy", message: "Bob is already talking with someone else" },
    });
    await user.click(button("Invite Bob to the call"));
    await waitFor(() => expect(notice()).toBe("Bob is already talking with someone else"));
  });

  it("shows an invitation naming the inviter, with Join and Decline", async () => {
    pinia = renderPrivate();
    const user = userEvent.setup();
    const invited = { call: groupCall([bob], 1, "group-9"), from: ref(bob) };
    server.serverEmit("group:invited", invited);
    let dialog = await screen.findByRole("alertdialog", { name: "Group call invitation from Bob" });
    expect(dialog.textContent).toContain("Bob invites you to join the group call.");
    // One way in while it is shown: its own Join, not the bar's "Join group call" beside it.
    expect(screen.getAllByRole("button", { name: /^Join/ }).map((b) => b.textContent?.trim())).toEqual([
      "Join",
    ]);
    await user.click(within(dialog).getByRole("button", { name: "Decline" }));
    expect(requests("group:decline")).toEqual([{ callId: "group-9" }]);
    expect(screen.queryByRole("alertdialog")).toBeNull();

    server.serverEmit("group:invited", invited);
    dialog = await screen.findByRole("alertdialog", { name: "Group call invitation from Bob" });
    await user.click(within(dialog).getByRole("button", { name: "Join" }));
    expect(requests("group:join")).toEqual([{ callId: "group-9" }]);
    await waitFor(() => expect(tileNames()).toEqual(["Alice (you)", "Bob"]));
    expect(screen.queryByRole("alertdialog")).toBeNull();
  });
});

describe("an invitation that is not answered", () => {
  it("goes away when it rings out, is answered in another tab, or its call ends", async () => {
    pinia = renderPrivate();
    const invited = { call: groupCall([bob], 1, "group-9"), from: ref(bob) };
    server.serverEmit("group:invited", invited);
    await screen.findByRole("alertdialog", { name: "Group call invitation from Bob" });
    server.serverEmit("group:state", { room: "LOBBY", call: null });
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());

    for (const [id, reason] of [
      ["group-10", "missed"],
      ["group-11", "declined"],
    ] as const) {
      server.serverEmit("group:invited", { ...invited, call: groupCall([bob], 1, id) });
      await screen.findByRole("alertdialog", { name: "Group call invitation from Bob" });
      server.serverEmit("group:declined", { callId: id, by: ref(alice), reason });
      await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
      expect(notice()).toBe(""); // nothing to tell Alice about her own answer
    }
  });
});

describe("leaving", () => {
  async function joined() {
    pinia = renderPrivate({ groupCall: groupCall([bob]) });
    await userEvent.setup().click(await findButton("Join group call"));
    await waitFor(() => expect(devices.pcs).toHaveLength(1));
    return devices.pcs[0]!;
  }

  it("Leave call stops the camera, closes every connection and tells the server", async () => {
    const toBob = await joined();
    await userEvent.setup().click(button("Leave call"));
    expect(requests("group:leave")).toEqual([{}]);
    expect(screen.queryByRole("region", { name: "Call" })).toBeNull();
    expect(toBob.close).toHaveBeenCalled();
    expect(devices.opened.every((track) => track.stop.mock.calls.length > 0)).toBe(true);
    // Bob is still in it: Alice can join again once the server says she left.
    server.serverEmit("group:state", { room: "LOBBY", call: groupCall([bob], 3) });
    await waitFor(() => expect(button("Join group call").disabled).toBe(false));
  });

  it("moving to another room takes Alice out of the call", async () => {
    const toBob = await joined();
    server.serverEmit("room:state", {
      room: "SPORTS",
      roomSeq: 1,
      version: 1,
      members: [alice],
      history: [],
    });
    await waitFor(() => expect(screen.queryByRole("region", { name: "Call" })).toBeNull());
    expect(toBob.close).toHaveBeenCalled();
    expect(devices.opened.every((track) => track.stop.mock.calls.length > 0)).toBe(true);
    expect(button("Start group call")).toBeTruthy();
    // The call went on without her: back in LOBBY, she can join it again.
    server.serverEmit("room:state", {
      room: "LOBBY",
      roomSeq: 2,
      version: 1,
      members: [alice, bob],
      history: [],
      groupCall: groupCall([bob], 3),
    });
    await waitFor(() => expect(button("Join group call").disabled).toBe(false));
  });

  it("says so when the call goes on without Alice (her place ended while her connection was lost)", async () => {
    const toBob = await joined();
    expect(notice()).toBe("");
    server.serverEmit("group:state", {
      room: "LOBBY",
      call: groupCall([bob], 3),
      departed: { user: ref(alice), reason: "lost" },
    });
    await waitFor(() => expect(screen.queryByRole("region", { name: "Call" })).toBeNull());
    expect(notice()).toBe("Your connection to the call was lost. Join again to go back in.");
    expect(toBob.close).toHaveBeenCalled();
    expect(devices.opened.every((track) => track.stop.mock.calls.length > 0)).toBe(true);
    await waitFor(() => expect(button("Join group call").disabled).toBe(false));
  });
});

describe("a reload or a lost connection mid-call", () => {
  const bobRef = ref(bob);

  it("comes back into the call by itself after this page reloads, with no Join", async () => {
    // The reloaded page: the room's call still lists Alice, and the server says this tab holds her place.
    pinia = renderPrivate({ groupCall: groupCall([bob, alice]) });
    server.serverEmit("call:held", { callId: "group-7", kind: "group" });
    await waitFor(() => expect(devices.pcs).toHaveLength(1));
    expect(screen.getByRole("region", { name: "Call" })).toBeTruthy();
    expect(requests("group:join")).toEqual([]);
    expect(screen.queryByRole("button", { name: "Rejoin call" })).toBeNull();
  });

  it("keeps an offer that comes in the same batch as call:held after a reload", async () => {
    // Alice joined after Bob and before Carol: Carol offers to her new page as soon as she is back.
    pinia = renderPrivate({ groupCall: groupCall([bob, alice, carol]) });
    server.serverEmit("call:held", { callId: "group-7", kind: "group" });
    server.serverEmit("group:signal", {
      callId: "group-7",
      peer: carol.id,
      description: { type: "offer", sdp: "carol's offer" },
    });
    await waitFor(() => expect(devices.pcs).toHaveLength(2));
    const toCarol = devices.pcs[1]!;
    await waitFor(() => expect(toCarol.remoteDescription?.sdp).toBe("carol's offer"));
    await waitFor(() => expect(signalsTo(carol.id)[0]?.description?.type).toBe("answer"));
  });

  it("shows a participant reconnecting, restarts the connection to their new page, and says why they left", async () => {
    pinia = renderPrivate({ groupCall: groupCall([bob, carol, alice]) });
    server.serverEmit("call:held", { callId: "group-7", kind: "group" });
    await waitFor(() => expect(devices.pcs).toHaveLength(2));
    server.serverEmit("call:participant", { callId: "group-7", user: bobRef, state: "away" });
    const bobsTile = () => within(stage().getByRole("group", { name: "Bob" }));
    await waitFor(() => expect(bobsTile().getByRole("status").textContent).toBe("Bob is reconnecting…"));
    server.serverEmit("call:participant", { callId: "group-7", user: bobRef, state: "back", rejoined: true });
    await waitFor(() => expect(devices.pcs).toHaveLength(3));
    expect(devices.pcs[0]!.close).toHaveBeenCalled();
    expect(bobsTile().queryByRole("status")).toBeNull();
    server.serverEmit("group:state", {
      room: "LOBBY",
      call: groupCall([carol, alice], 4),
      departed: { user: bobRef, reason: "lost" },
    });
    await waitFor(() => expect(notice()).toBe("Bob's connection was lost"));
    expect(tileNames()).not.toContain("Bob");
  });
});
