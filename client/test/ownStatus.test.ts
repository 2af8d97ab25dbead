// @vitest-environment happy-dom
// The Status control and the member list agree: while the room sees Alice absent (every tab of hers idle
// or in the background), the control's dot says absent and a line beside her pick says why.
import { cleanup, screen, waitFor, within } from "@testing-library/vue";
import { disposePinia, type Pinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setLocale } from "../src/i18n";
import { alice } from "./fixtures";
import { openRoomTab, resetRoomTab, server } from "./roomHarness";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

let pinia: Pinia;
let hidden = false;
function setTabHidden(value: boolean): void {
  hidden = value;
  document.dispatchEvent(new Event("visibilitychange"));
}
/** The room tells everyone (Alice's tab too) how it sees Alice now. */
function roomSeesAlice(status: "online" | "absent", version: number): void {
  server.serverEmit("room:member-updated", {
    room: "LOBBY",
    version,
    member: { ...alice, status },
  });
}
const statusControl = () => screen.getByRole("combobox", { name: /^(Status|Estado)$/ }) as HTMLSelectElement;
const ownRow = () =>
  within(screen.getByRole("list", { name: /^(Members|Miembros)$/ }))
    .getAllByRole("listitem")
    .find((row) => row.textContent?.includes("Alice"))!;

beforeEach(() => {
  resetRoomTab();
  hidden = false;
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
});
afterEach(() => {
  cleanup();
  disposePinia(pinia);
  vi.unstubAllGlobals();
  setLocale("en");
});

describe("the Status control while the room sees another status than the pick", () => {
  it("says Absent — tab in background while the tab is hidden, and nothing once back", async () => {
    ({ pinia } = await openRoomTab("/room/LOBBY"));
    expect(statusControl().value).toBe("online");
    expect(screen.queryByText(/tab in background/)).toBeNull();

    setTabHidden(true);
    roomSeesAlice("absent", 5);
    await waitFor(() => expect(ownRow().textContent).toContain("absent"));
    // The pick stays Online; the line beside it describes the select and says what the room shows.
    expect(statusControl().value).toBe("online");
    const why = await screen.findByText("Absent — tab in background");
    expect(statusControl().getAttribute("aria-describedby")).toContain(why.id);
    expect(why.getAttribute("title")).toMatch(/You picked Online\. Others see you as absent/);
    expect(statusControl().closest(".status-select")?.classList.contains("is-absent")).toBe(true);

    setTabHidden(false);
    roomSeesAlice("online", 6);
    await waitFor(() => expect(screen.queryByText(/Absent —/)).toBeNull());
    expect(statusControl().getAttribute("aria-describedby")).toBeNull();
    expect(statusControl().closest(".status-select")?.classList.contains("is-online")).toBe(true);
  });

  it("says no recent activity when the tab is visible but unused, in Spanish too", async () => {
    ({ pinia } = await openRoomTab("/room/LOBBY"));
    roomSeesAlice("absent", 5);
    await screen.findByText("Absent — no recent activity");
    setLocale("es");
    await screen.findByText("Ausente — sin actividad reciente");
    setTabHidden(true);
    await screen.findByText("Ausente — pestaña en segundo plano");
  });
});
