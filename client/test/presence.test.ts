// @vitest-environment happy-dom
import { cleanup, render, screen } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { createPinia, disposePinia, type Pinia, setActivePinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PresenceStatus } from "../../server/src/protocol";
import StatusSelect from "../src/components/StatusSelect.vue";
import * as socketModule from "../src/socket";
import { usePresenceStore } from "../src/stores/presence";
import type { FakeSocketModule } from "./fakeSocket";
import { readyAsAlice } from "./fixtures";

vi.mock("../src/socket", async () => (await import("./fakeSocket")).createFakeSocketModule());
const server = socketModule as unknown as FakeSocketModule;

const IDLE_MS = 60_000;
const ready = readyAsAlice({ idleTimeoutMs: IDLE_MS });

let hidden = false;
function setTabHidden(value: boolean): void {
  hidden = value;
  document.dispatchEvent(new Event("visibilitychange"));
}

/** The statuses this tab told the server, in order. */
function sentStatuses(): PresenceStatus[] {
  return server.request.mock.calls
    .filter(([event]) => event === "presence:set")
    .map(([, payload]) => (payload as { status: PresenceStatus }).status);
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

describe("presence auto-away", () => {
  it("turns absent after the idle timeout and online again on activity", async () => {
    const presence = usePresenceStore();
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1000);
    expect(presence.status).toBe("online");
    await vi.advanceTimersByTimeAsync(1000);
    expect(presence.status).toBe("absent");
    expect(statusControl().value).toBe("absent");

    window.dispatchEvent(new KeyboardEvent("keydown", { key: "a" }));
    await vi.advanceTimersByTimeAsync(0);
    expect(statusControl().value).toBe("online");
    expect(sentStatuses()).toEqual(["absent", "online"]);
  });

  it("counts the idle time from the last activity", async () => {
    const presence = usePresenceStore();
    await vi.advanceTimersByTimeAsync(IDLE_MS - 5000);
    window.dispatchEvent(new Event("pointerdown"));
    await vi.advanceTimersByTimeAsync(IDLE_MS - 5000);
    expect(presence.status).toBe("online");
    await vi.advanceTimersByTimeAsync(5000);
    expect(presence.status).toBe("absent");
  });

  it("is absent while the tab is hidden and online when it is shown again", async () => {
    const presence = usePresenceStore();
    setTabHidden(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(presence.status).toBe("online"); // a short grace: reloads and quick tab switches hide the page too
    await vi.advanceTimersByTimeAsync(2000);
    expect(presence.status).toBe("absent");
    setTabHidden(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(presence.status).toBe("online");
    expect(sentStatuses()).toEqual(["absent", "online"]);
  });

  it("never overrides a status the user picked, until they pick Online again", async () => {
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    await user.selectOptions(statusControl(), "Unavailable");
    expect(sentStatuses()).toEqual(["unavailable"]);

    setTabHidden(true);
    await vi.advanceTimersByTimeAsync(5000);
    setTabHidden(false);
    await vi.advanceTimersByTimeAsync(IDLE_MS * 2);
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "a" }));
    await vi.advanceTimersByTimeAsync(0);
    expect(statusControl().value).toBe("unavailable");
    expect(sentStatuses()).toEqual(["unavailable"]);

    await user.selectOptions(statusControl(), "Online");
    await vi.advanceTimersByTimeAsync(IDLE_MS);
    expect(statusControl().value).toBe("absent");
    expect(sentStatuses()).toEqual(["unavailable", "online", "absent"]);
  });

  it("keeps a hand-picked Absent when the user comes back to the keyboard", async () => {
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    await user.selectOptions(statusControl(), "Absent");
    setTabHidden(true);
    await vi.advanceTimersByTimeAsync(5000);
    setTabHidden(false);
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "a" }));
    await vi.advanceTimersByTimeAsync(0);
    expect(statusControl().value).toBe("absent");
    expect(sentStatuses()).toEqual(["absent"]);
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
