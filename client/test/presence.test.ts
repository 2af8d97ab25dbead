// @vitest-environment happy-dom
import { cleanup, render, screen } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { createPinia, disposePinia, type Pinia, setActivePinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PresenceStatus } from "@videochat/protocol";
import StatusSelect from "../src/features/session/StatusSelect.vue";
import * as socketModule from "../src/features/session/socket";
import { usePresenceStore } from "../src/features/session/presenceStore";
import type { FakeSocketModule } from "./fakeSocket";
import { readyAsAlice } from "./fixtures";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);
const server = socketModule as unknown as FakeSocketModule;

const IDLE_MS = 60_000;
const ready = readyAsAlice({ idleTimeoutMs: IDLE_MS });

let hidden = false;
function setTabHidden(value: boolean): void {
  hidden = value;
  document.dispatchEvent(new Event("visibilitychange"));
}

/** The statuses this tab picked, in order. */
function sentStatuses(): PresenceStatus[] {
  return server.request.mock.calls
    .filter(([event]) => event === "presence:set")
    .map(([, payload]) => (payload as { status: PresenceStatus }).status);
}

/** What this tab told the server about being idle, in order. */
function sentIdle(): boolean[] {
  return server.request.mock.calls
    .filter(([event]) => event === "presence:idle")
    .map(([, payload]) => (payload as { idle: boolean }).idle);
}

function statusControl(): HTMLSelectElement {
  return screen.getByRole("combobox", { name: "Status" }) as HTMLSelectElement;
}

let pinia: Pinia;
beforeEach(() => {
  vi.useFakeTimers();
  sessionStorage.clear();
  hidden = false;
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
  Object.defineProperty(document, "visibilityState", {
    configurable: true,
    get: () => (hidden ? "hidden" : "visible"),
  });
  server.request.mockClear();
  pinia = createPinia();
  setActivePinia(pinia);
  render(StatusSelect, { global: { plugins: [pinia] } });
  server.serverEmit("session:ready", ready);
});
afterEach(() => {
  cleanup();
  disposePinia(pinia);
  vi.useRealTimers();
});

describe("presence: this tab's idle state and the status picked by hand", () => {
  it("compact (a phone's header in a call): the select keeps its name Status", () => {
    cleanup(); // one "own-status" at a time
    render(StatusSelect, { props: { compact: true }, global: { plugins: [pinia] } });
    const select = statusControl();
    expect(select.closest(".status-select")?.classList.contains("is-compact")).toBe(true);
  });

  it("tells the server the tab is idle after the idle timeout, and active again on activity", async () => {
    const presence = usePresenceStore();
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1000);
    expect(sentIdle()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sentIdle()).toEqual([true]);
    // The picker keeps what the user chose; the room sees the session's derived status.
    expect(statusControl().value).toBe("online");

    window.dispatchEvent(new KeyboardEvent("keydown", { key: "a" }));
    await vi.advanceTimersByTimeAsync(0);
    expect(sentIdle()).toEqual([true, false]);
    expect(presence.idle).toBe(false);
    expect(sentStatuses()).toEqual([]);
  });

  it("counts the idle time from the last activity", async () => {
    await vi.advanceTimersByTimeAsync(IDLE_MS - 5000);
    window.dispatchEvent(new Event("pointerdown"));
    await vi.advanceTimersByTimeAsync(IDLE_MS - 5000);
    expect(sentIdle()).toEqual([]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(sentIdle()).toEqual([true]);
  });

  it("is idle while the tab is hidden and active when it is shown again", async () => {
    setTabHidden(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(sentIdle()).toEqual([]); // a short grace: reloads and quick tab switches hide the page too
    await vi.advanceTimersByTimeAsync(2000);
    expect(sentIdle()).toEqual([true]);
    setTabHidden(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(sentIdle()).toEqual([true, false]);
  });

  it("is never idle during a call, not even hidden, and counts the idle time afresh from its end", async () => {
    const presence = usePresenceStore();
    await vi.advanceTimersByTimeAsync(IDLE_MS);
    expect(sentIdle()).toEqual([true]);
    presence.holdActive("group", true); // joined a call while idle: active at once
    await vi.advanceTimersByTimeAsync(0);
    expect(sentIdle()).toEqual([true, false]);
    await vi.advanceTimersByTimeAsync(IDLE_MS * 5); // listening, hands off
    setTabHidden(true); // looking at another tab
    await vi.advanceTimersByTimeAsync(IDLE_MS);
    expect(sentIdle()).toEqual([true, false]);
    setTabHidden(false);
    presence.holdActive("private", true);
    presence.holdActive("group", false); // one call of two ended: still in a call
    await vi.advanceTimersByTimeAsync(IDLE_MS * 2);
    expect(sentIdle()).toEqual([true, false]);
    presence.holdActive("private", false);
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1000);
    expect(sentIdle()).toEqual([true, false]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sentIdle()).toEqual([true, false, true]);
  });

  it("sends a status picked by hand, and follows a status picked in another tab", async () => {
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    await user.selectOptions(statusControl(), "Unavailable");
    expect(sentStatuses()).toEqual(["unavailable"]);
    server.serverEmit("presence:chosen", { status: "absent" });
    await vi.advanceTimersByTimeAsync(0);
    expect(statusControl().value).toBe("absent");
    // In a room, another tab's pick comes with the room's update of this member; others' picks and
    // updates without a pick change nothing here.
    const update = (id: string, status: PresenceStatus, chosen?: PresenceStatus) => ({
      room: "LOBBY",
      version: 7,
      member: { id, name: "x", status, busy: false },
      ...(chosen ? { chosen } : {}),
    });
    server.serverEmit("room:member-updated", update(ready.user.id, "unavailable", "unavailable"));
    await vi.advanceTimersByTimeAsync(0);
    expect(statusControl().value).toBe("unavailable");
    server.serverEmit("room:member-updated", update("someone-else", "online", "online"));
    server.serverEmit("room:member-updated", update(ready.user.id, "absent"));
    await vi.advanceTimersByTimeAsync(0);
    expect(statusControl().value).toBe("unavailable");
    // Picked online while every tab is idle: the room sees absent, the control shows the pick.
    server.serverEmit("room:member-updated", update(ready.user.id, "absent", "online"));
    await vi.advanceTimersByTimeAsync(0);
    expect(statusControl().value).toBe("online");
  });

  it("goes back to the previous status and says why when the server refuses", async () => {
    server.request.mockResolvedValueOnce({
      ok: false,
      error: { code: "rate_limited", message: "Slow down a little." },
    });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    await user.selectOptions(statusControl(), "Absent");
    expect(statusControl().value).toBe("online");
    expect(screen.getByRole("alert").textContent).toContain("Slow down a little.");
  });
});
