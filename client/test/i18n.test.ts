// @vitest-environment happy-dom
// The SPA speaks the browser's language (English by default), words the server's error codes itself,
// and falls back to the server's message for a code it does not know.
import { cleanup, render, screen, waitFor } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { createPinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMemoryHistory, createRouter } from "vue-router";
import JoinView from "../src/features/session/JoinView.vue";
import { pickLocale, setLocale } from "../src/i18n";
import en from "../src/i18n/en";
import es from "../src/i18n/es";
import { errorText } from "../src/i18n/errors";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

/** Every key path of a catalogue, e.g. "call.phase.ringing". */
function keys(messages: object, prefix = ""): string[] {
  return Object.entries(messages).flatMap(([key, value]) =>
    typeof value === "object" ? keys(value as object, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

let sessionBody: unknown;
const fetchMock = vi.fn(async (url: string) => {
  const rooms = new URL(url, "http://app.test").pathname === "/api/rooms";
  const body = rooms ? { rooms: [{ name: "LOBBY", count: 2, version: 2 }] } : sessionBody;
  return new Response(JSON.stringify(body), {
    status: rooms ? 200 : 409,
    headers: { "Content-Type": "application/json" },
  });
});

async function renderJoin() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: "/", name: "join", component: JoinView },
      { path: "/room/:room", name: "room", component: { template: "<p>in the room</p>" } },
    ],
  });
  await router.push("/");
  await router.isReady();
  render(JoinView, { global: { plugins: [createPinia(), router] } });
  const room = screen.getByRole("combobox") as HTMLSelectElement;
  await waitFor(() => expect(room.value).toBe("LOBBY"));
  return userEvent.setup();
}

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
  fetchMock.mockClear();
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => {
  cleanup();
  setLocale("en");
  vi.unstubAllGlobals();
});

describe("languages", () => {
  it("follows the browser's first language it speaks, English otherwise", () => {
    expect(pickLocale(["es-MX", "en"])).toBe("es");
    expect(pickLocale(["fr-FR", "ES"])).toBe("es");
    expect(pickLocale(["fr-FR", "de"])).toBe("en");
    expect(pickLocale([])).toBe("en");
  });

  it("has every English text in Spanish too", () => {
    expect(keys(es).sort()).toEqual(keys(en).sort());
  });

  it("shows the join screen in Spanish and words the server's error codes in Spanish", async () => {
    setLocale("es");
    expect(document.documentElement.lang).toBe("es");
    const user = await renderJoin();
    expect(screen.getByText("Elige un nombre y una sala para empezar a hablar.")).toBeTruthy();
    expect(screen.getByRole("combobox", { name: "Sala" })).toBeTruthy();
    expect(screen.getByRole("option", { name: "LOBBY (2)" })).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Entrar" }));
    expect((await screen.findByRole("alert")).textContent?.trim()).toBe("Escribe un nombre visible.");

    sessionBody = { error: { code: "name_taken", message: "The name “Bob” is taken. Choose another one." } };
    await user.type(screen.getByRole("textbox", { name: "Nombre visible" }), "Bob{Enter}");
    await waitFor(() =>
      expect(screen.getByRole("alert").textContent?.trim()).toBe(
        "El nombre “Bob” está ocupado o se parece a uno en uso. Elige otro.",
      ),
    );
  });

  it("shows the server's own message for an error code it does not know", async () => {
    setLocale("es");
    const user = await renderJoin();
    sessionBody = { error: { code: "brand_new_rule", message: "Names on Mondays are closed." } };
    await user.type(screen.getByRole("textbox", { name: "Nombre visible" }), "Bob{Enter}");
    await waitFor(() =>
      expect(screen.getByRole("alert").textContent?.trim()).toBe("Names on Mondays are closed."),
    );
    expect(errorText({ code: "brand_new_rule", message: "From the server." })).toBe("From the server.");
    // A known code whose text needs a detail the client lacks (the partner's name) keeps the server's too.
    expect(errorText({ code: "partner_busy", message: "Bob is busy." })).toBe("Bob is busy.");
    expect(errorText({ code: "partner_busy", message: "Bob is busy." }, { name: "Bob" })).toBe(
      "Bob ya está hablando con otra persona",
    );
  });
});
