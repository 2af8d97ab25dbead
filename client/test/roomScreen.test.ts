// @vitest-environment happy-dom
import { cleanup, screen, waitFor, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { disposePinia, type Pinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { nextTick } from "vue";
import type { Router } from "vue-router";
import { alice } from "./fixtures";
import { bob, occupancy, openRoomTab, requests, resetRoomTab, server } from "./roomHarness";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

let pinia: Pinia;
let router: Router;

/** Opens `path` in a tab that already holds a session, as after a reload. */
async function openTab(path: string): Promise<ReturnType<typeof userEvent.setup>> {
  const tab = await openRoomTab(path);
  ({ pinia, router } = tab);
  return tab.user;
}

beforeEach(resetRoomTab);
afterEach(() => {
  cleanup();
  disposePinia(pinia);
  vi.unstubAllGlobals();
});

describe("room screen", () => {
  it("shows rooms, members, status, the chat, and which instance serves the tab under Diagnostics", async () => {
    await openTab("/room/LOBBY");
    const lobby = await screen.findByRole("button", { name: "LOBBY", description: "(2)" });
    expect(lobby.getAttribute("aria-current")).toBe("page");
    expect(
      screen.getByRole("button", { name: "SPORTS", description: "(0)" }).getAttribute("aria-current"),
    ).toBeNull();
    const members = within(screen.getByRole("list", { name: "Members" })).getAllByRole("listitem");
    expect(members.map((m) => m.textContent!.replace(/\s+/g, " ").trim())).toEqual([
      "Alice (you) online",
      "Bob absent Chat",
    ]);
    expect(screen.getByRole("combobox", { name: "Status" })).toBeTruthy();
    expect(screen.getByRole("log", { name: "Room chat" })).toBeTruthy();
    expect(screen.getByRole("textbox", { name: "Message" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Send" })).toBeTruthy();
    // For operators only: folded away until asked for.
    expect(screen.queryByText(/Served by/)).toBeNull();
    const diagnostics = screen.getByRole("button", { name: "Diagnostics" });
    expect(diagnostics.getAttribute("aria-expanded")).toBe("false");
    await userEvent.setup().click(diagnostics);
    expect(diagnostics.getAttribute("aria-expanded")).toBe("true");
    expect(screen.getByText("Served by instance-a")).toBeTruthy();
  });

  it("opens a private chat from the member list, beside the room chat", async () => {
    const user = await openTab("/room/LOBBY");
    await user.click(screen.getByRole("button", { name: "Private chat with Bob" }));
    expect(requests("private:open")).toEqual([{ with: bob.id }]);
    const chat = await screen.findByRole("region", { name: "Private chat with Bob" });
    expect(within(chat).getByRole("textbox", { name: "Private message" })).toBeTruthy();
    expect(screen.getByRole("log", { name: "Room chat" })).toBeTruthy();
  });

  it("switches rooms from the room buttons and the URL follows", async () => {
    const user = await openTab("/room/LOBBY");
    await user.click(await screen.findByRole("button", { name: "SPORTS", description: "(0)" }));
    await waitFor(() => expect(router.currentRoute.value.path).toBe("/room/SPORTS"));
    expect(requests("room:join")).toEqual([{ room: "SPORTS" }]);
  });

  it("joins the room named in the URL when the session is elsewhere", async () => {
    await openTab("/room/SPORTS");
    await waitFor(() => expect(requests("room:join")).toEqual([{ room: "SPORTS" }]));
  });

  it("puts the URL back when the server refuses the room", async () => {
    const friendly = server.request.getMockImplementation()!;
    server.request.mockImplementation(async (event, payload) =>
      event === "room:join"
        ? { ok: false, error: { code: "unknown_room", message: "There is no room called NOPE." } }
        : friendly(event, payload),
    );
    try {
      await openTab("/room/NOPE");
      await waitFor(() => expect(router.currentRoute.value.path).toBe("/room/LOBBY"));
      expect((await screen.findByRole("alert")).textContent).toContain("There is no room called NOPE.");
    } finally {
      server.request.mockImplementation(friendly);
    }
  });

  it("watches the room counts while the page is visible, and shows the counts it gets", async () => {
    let hidden = false;
    Object.defineProperty(document, "visibilityState", {
      configurable: true,
      get: () => (hidden ? "hidden" : "visible"),
    });
    const friendly = server.request.getMockImplementation()!;
    server.request.mockImplementation(async (event, payload) =>
      event === "rooms:watch"
        ? { ok: true, rooms: [{ name: "SPORTS", count: 4, version: 9 }] }
        : friendly(event, payload),
    );
    try {
      await openTab("/room/LOBBY");
      // Every count to start from comes with the watch's answer.
      expect(await screen.findByRole("button", { name: "SPORTS", description: "(4)" })).toBeTruthy();
      expect(requests("rooms:watch")).toEqual([{ watch: true }]);
      server.socket.connected = true; // as it is once session:ready has come
      hidden = true;
      document.dispatchEvent(new Event("visibilitychange"));
      expect(requests("rooms:watch")).toEqual([{ watch: true }, { watch: false }]);
      hidden = false;
      document.dispatchEvent(new Event("visibilitychange"));
      expect(requests("rooms:watch")).toEqual([{ watch: true }, { watch: false }, { watch: true }]);
    } finally {
      server.request.mockImplementation(friendly);
      Reflect.deleteProperty(document, "visibilityState");
    }
  });

  it("announces Reconnecting… while the socket is down, and nothing once it is back", async () => {
    await openTab("/room/LOBBY");
    const live = screen.getByRole("status", { name: "Connection" });
    expect(live.textContent?.trim()).toBe("");
    server.setConnectionState("reconnecting");
    await waitFor(() => expect(live.textContent?.trim()).toBe("Reconnecting…"));
    server.setConnectionState("connected");
    await waitFor(() => expect(live.textContent?.trim()).toBe(""));
  });

  it("leaves: tells the server, forgets the session and shows the join screen", async () => {
    const user = await openTab("/room/LOBBY");
    await user.click(screen.getByRole("button", { name: "Leave" }));
    await screen.findByRole("button", { name: "Join" });
    expect(requests("session:leave")).toEqual([{}]);
    expect(router.currentRoute.value.path).toBe("/");
    expect(sessionStorage.getItem("videochat.session")).toBeNull();
  });

  /** Answers POST /api/session with `status` and `body`, and GET /api/rooms with the occupancy. */
  function serverAnswers(status: number, body: unknown) {
    const fetchMock = vi.fn(async (url: string, init?: RequestInit) =>
      init?.method === "POST"
        ? new Response(JSON.stringify(body), { status })
        : new Response(JSON.stringify(occupancy), { status: 200 }),
    );
    vi.stubGlobal("fetch", fetchMock);
    return () =>
      fetchMock.mock.calls.filter(([, init]) => init?.method === "POST").map(([, init]) => init!.body);
  }

  it("claims its name and room again by itself when the server no longer knows the session", async () => {
    await openTab("/room/LOBBY");
    const claims = serverAnswers(201, {
      token: "t-2",
      user: { id: "u-new", name: alice.name },
      room: "LOBBY",
    });
    server.socket.connect.mockClear();
    server.serverEmit("connect_error" as never, new Error("session_unknown") as never);
    await waitFor(() => expect(server.socket.connect).toHaveBeenCalled());
    expect(claims()).toEqual([JSON.stringify({ name: alice.name, room: "LOBBY" })]);
    expect(JSON.parse(sessionStorage.getItem("videochat.session")!)).toMatchObject({
      token: "t-2",
      room: "LOBBY",
    });
    expect(router.currentRoute.value.path).toBe("/room/LOBBY");
  });

  it("shows the join form with the name filled in when the session ended and the name was taken", async () => {
    await openTab("/room/LOBBY");
    serverAnswers(409, { error: { code: "name_taken", message: "taken" } });
    server.serverEmit("session:ended", {
      code: "session_unknown",
      message: "Your session has ended. Join again.",
    });
    expect(await screen.findByText(/“Alice” has been taken meanwhile/)).toBeTruthy();
    expect((screen.getByRole("textbox", { name: "Display name" }) as HTMLInputElement).value).toBe("Alice");
    expect(sessionStorage.getItem("videochat.session")).toBeNull();
  });

  it("says why the server cut the tab for flooding, and reconnects only after the wait", async () => {
    await openTab("/room/LOBBY");
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      server.socket.connect.mockClear();
      server.serverEmit("session:ended", {
        code: "flooding",
        message: "This tab sent far too many events too fast, so the server closed its connection.",
        retryAfterMs: 10_000,
      });
      server.serverEmit("disconnect" as never, "io server disconnect" as never);
      await nextTick();
      expect(screen.getByRole("status", { name: "Connection" }).textContent!.trim()).toBe(
        "This tab sent far too many events too fast, so the server closed its connection. Reconnecting in 10 s.",
      );
      vi.advanceTimersByTime(9_900);
      expect(server.socket.connect).not.toHaveBeenCalled();
      vi.advanceTimersByTime(200);
      expect(server.socket.connect).toHaveBeenCalledTimes(1);
      // The session is kept: the tab resumes it.
      expect(JSON.parse(sessionStorage.getItem("videochat.session")!)).toMatchObject({ token: "t-1" });

      // Too early after all (another instance's clock): the refused handshake says how long, once.
      server.socket.active = false;
      const message = "This session sent far too many events. Connecting again in 3 s.";
      const refusal = Object.assign(new Error("flooding"), {
        data: { code: "flooding", message, retryAfterMs: 3_000 },
      });
      server.serverEmit("connect_error" as never, refusal as never);
      await nextTick();
      expect(screen.getByRole("status", { name: "Connection" }).textContent!.trim()).toBe(message);
      vi.advanceTimersByTime(2_900);
      expect(server.socket.connect).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(200);
      expect(server.socket.connect).toHaveBeenCalledTimes(2);
    } finally {
      server.socket.active = true;
      vi.useRealTimers();
    }
  });

  it("says plainly when this session already has too many tabs, and keeps the session", async () => {
    await openTab("/room/LOBBY");
    server.serverEmit("session:ended", {
      code: "too_many_connections",
      message: "This session is open in too many tabs. Close one, then reload.",
    });
    expect(
      await screen.findByText("This session is open in too many tabs. Close one, then reload."),
    ).toBeTruthy();
    expect(JSON.parse(sessionStorage.getItem("videochat.session")!)).toMatchObject({ token: "t-1" });
  });
});
