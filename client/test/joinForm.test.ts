// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { createPinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMemoryHistory, createRouter } from "vue-router";
import JoinView from "../src/features/session/JoinView.vue";
import { setLocale } from "../src/i18n";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

type Answer = { status: number; body: unknown };
let sessionAnswer: Answer;
/** The path without the `?tab=` every request carries for nginx's stickiness. */
const pathOf = (url: string) => new URL(url, "http://app.test").pathname;

const fetchMock = vi.fn(async (url: string, _init?: RequestInit) => {
  const answer: Answer =
    pathOf(url) === "/api/rooms"
      ? {
          status: 200,
          body: {
            rooms: [
              { name: "LOBBY", count: 2, version: 2 },
              { name: "SPORTS", count: 0, version: 0 },
            ],
          },
        }
      : sessionAnswer;
  return new Response(JSON.stringify(answer.body), {
    status: answer.status,
    headers: { "Content-Type": "application/json" },
  });
});

function sessionCalls() {
  return fetchMock.mock.calls.filter(([url]) => pathOf(url) === "/api/session");
}

/** `roomLabel`: the room select's name in the page's language. */
async function renderJoin(roomLabel = "Room") {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: "/", name: "join", component: JoinView },
      { path: "/room/:room", name: "room", component: { template: "<p>in the room</p>" } },
    ],
  });
  await router.push("/");
  await router.isReady();
  const { unmount } = render(JoinView, { global: { plugins: [createPinia(), router] } });
  // The room list comes from the server; wait until the form has picked the first room.
  const room = screen.getByRole("combobox", { name: roomLabel }) as HTMLSelectElement;
  await waitFor(() => expect(room.value).toBe("LOBBY"));
  return { router, user: userEvent.setup(), unmount };
}

beforeEach(() => {
  sessionStorage.clear();
  fetchMock.mockClear();
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => {
  cleanup();
  setLocale("en");
  vi.unstubAllGlobals();
});

describe("join form", () => {
  it("offers a display name, the rooms with their occupancy, and a Join button", async () => {
    await renderJoin();
    expect(screen.getByRole("textbox", { name: "Display name" })).toBeTruthy();
    const room = screen.getByRole("combobox", { name: "Room" }) as HTMLSelectElement;
    expect(room.value).toBe("LOBBY");
    expect([...room.options].map((o) => o.text)).toEqual(["LOBBY (2)", "SPORTS (0)"]);
    expect(screen.getByRole("button", { name: "Join" })).toBeTruthy();
  });

  it("creates a session with the chosen name and room, then opens that room", async () => {
    sessionAnswer = {
      status: 201,
      body: { token: "t-1", user: { id: "u-1", name: "Alice" }, room: "SPORTS" },
    };
    const { router, user } = await renderJoin();
    await user.type(screen.getByRole("textbox", { name: "Display name" }), "  Alice ");
    await user.selectOptions(screen.getByRole("combobox", { name: "Room" }), "SPORTS");
    await user.click(screen.getByRole("button", { name: "Join" }));

    await waitFor(() => expect(router.currentRoute.value.fullPath).toBe("/room/SPORTS"));
    const [, init] = sessionCalls()[0]!;
    expect(init?.method).toBe("POST");
    expect(JSON.parse(String(init?.body))).toEqual({ name: "Alice", room: "SPORTS" });
    expect(sessionStorage.getItem("videochat.session")).toContain("t-1");
  });

  it("words a taken name itself on the name field (not the server's text), and stays", async () => {
    sessionAnswer = {
      status: 409,
      body: { error: { code: "name_taken", message: "That name is already in use. Pick another." } },
    };
    const { router, user } = await renderJoin();
    const name = screen.getByRole("textbox", { name: "Display name" });
    await user.type(name, "Bob{Enter}");

    const alert = await screen.findByRole("alert");
    expect(alert.textContent?.trim()).toBe(
      "The name “Bob” is taken, or looks the same as one in use. Choose another one.",
    );
    expect(name.getAttribute("aria-describedby")).toBe(alert.id);
    expect(name.getAttribute("aria-invalid")).toBe("true");
    expect(router.currentRoute.value.fullPath).toBe("/");
    expect(sessionStorage.getItem("videochat.session")).toBeNull();
  });

  it("asks for a name without calling the server when the name is blank", async () => {
    const { router, user } = await renderJoin();
    await user.type(screen.getByRole("textbox", { name: "Display name" }), "   ");
    await user.click(screen.getByRole("button", { name: "Join" }));

    expect((await screen.findByRole("alert")).textContent).toContain("Enter a display name.");
    expect(sessionCalls()).toHaveLength(0);
    expect(router.currentRoute.value.fullPath).toBe("/");
  });

  it.each([
    ["only U+3164 HANGUL FILLER", "\u3164\u3164"],
    ["only combining marks", "\u0301\u0301"],
  ])("refuses a name of %s without calling the server", async (_what, typed) => {
    const { user } = await renderJoin();
    await user.type(screen.getByRole("textbox", { name: "Display name" }), typed);
    await user.click(screen.getByRole("button", { name: "Join" }));

    expect((await screen.findByRole("alert")).textContent).toContain(
      "A display name needs at least one visible letter or digit.",
    );
    expect(sessionCalls()).toHaveLength(0);
  });
});

/** A stand-in for the browser's EventSource: the test delivers the server's events by hand. */
class FakeEventSource {
  static readonly CLOSED = 2;
  static opened: FakeEventSource[] = [];
  onmessage: ((event: MessageEvent<string>) => void) | null = null;
  onerror: (() => void) | null = null;
  readyState = 1;
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }
  send(body: unknown): void {
    this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(body) }));
  }
  close(): void {
    this.closed = true;
  }
  /** The server answered with an error status (429, 503): a browser's EventSource gives up for good. */
  refuse(): void {
    this.readyState = FakeEventSource.CLOSED;
    this.onerror?.();
  }
}

describe("join form room counts", () => {
  beforeEach(() => {
    FakeEventSource.opened = [];
    vi.stubGlobal("EventSource", FakeEventSource);
  });

  it("follows the counts live while the form is shown, and stops watching once it is gone", async () => {
    const { unmount } = await renderJoin();
    const stream = FakeEventSource.opened[0]!;
    expect(pathOf(stream.url)).toBe("/api/rooms/live");
    stream.send({ rooms: [{ name: "SPORTS", count: 3, version: 7 }] });
    const room = screen.getByRole("combobox", { name: "Room" }) as HTMLSelectElement;
    await waitFor(() => expect([...room.options].map((o) => o.text)).toEqual(["LOBBY (2)", "SPORTS (3)"]));
    // An older count of a room (from another instance, overtaken) does not win.
    stream.send({ rooms: [{ name: "SPORTS", count: 1, version: 6 }] });
    await Promise.resolve();
    expect(room.options[1]!.text).toBe("SPORTS (3)");
    unmount();
    expect(stream.closed).toBe(true);
  });

  it("opens the stream again after the wait when the server refused it (too many open)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const { unmount } = await renderJoin();
      FakeEventSource.opened[0]!.refuse();
      expect(FakeEventSource.opened).toHaveLength(1);
      vi.advanceTimersByTime(10_000);
      expect(FakeEventSource.opened).toHaveLength(2);
      FakeEventSource.opened[1]!.send({ rooms: [{ name: "SPORTS", count: 4, version: 9 }] });
      const room = screen.getByRole("combobox", { name: "Room" }) as HTMLSelectElement;
      await vi.waitFor(() => expect(room.options[1]!.text).toBe("SPORTS (4)"));
      // Gone before its wait is over: nothing opens behind it.
      FakeEventSource.opened[1]!.refuse();
      unmount();
      vi.advanceTimersByTime(10_000);
      expect(FakeEventSource.opened).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

it("names this tab on every API request, so nginx keeps it on one instance", async () => {
  await renderJoin();
  const [url] = fetchMock.mock.calls[0]!;
  expect(sessionStorage.getItem("videochat.tab")).toBeTruthy();
  expect(new URL(url, "http://app.test").searchParams.get("tab")).toBe(
    sessionStorage.getItem("videochat.tab"),
  );
});

describe("join form in Spanish", () => {
  beforeEach(() => setLocale("es"));

  it("shows the screen in Spanish and words the server's error codes in Spanish", async () => {
    expect(document.documentElement.lang).toBe("es");
    const { user } = await renderJoin("Sala");
    expect(screen.getByText("Elige un nombre y una sala para empezar a hablar.")).toBeTruthy();
    expect(screen.getByRole("option", { name: "LOBBY (2)" })).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Entrar" }));
    expect((await screen.findByRole("alert")).textContent?.trim()).toBe("Escribe un nombre visible.");

    sessionAnswer = {
      status: 409,
      body: { error: { code: "name_taken", message: "The name “Bob” is taken. Choose another one." } },
    };
    await user.type(screen.getByRole("textbox", { name: "Nombre visible" }), "Bob{Enter}");
    await waitFor(() =>
      expect(screen.getByRole("alert").textContent?.trim()).toBe(
        "El nombre “Bob” está ocupado o se parece a uno en uso. Elige otro.",
      ),
    );
  });

  it("shows the server's own message for an error code it does not know", async () => {
    const { user } = await renderJoin("Sala");
    sessionAnswer = {
      status: 400,
      body: { error: { code: "brand_new_rule", message: "Names on Mondays are closed." } },
    };
    await user.type(screen.getByRole("textbox", { name: "Nombre visible" }), "Bob{Enter}");
    await waitFor(() =>
      expect(screen.getByRole("alert").textContent?.trim()).toBe("Names on Mondays are closed."),
    );
  });
});
