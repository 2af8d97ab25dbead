// @vitest-environment happy-dom
// Sounds made with Web Audio: a ring while Bob calls, a chime for his private messages while the tab is
// hidden, and the "Sounds" switch that silences both and is remembered in localStorage.
import { cleanup, render, screen, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { disposePinia, type Pinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import SoundToggle from "../src/features/devices/SoundToggle.vue";
import { setAudioContextFactory } from "../src/webrtc/audioContext";
import { useSoundStore } from "../src/features/devices/soundStore";
import { bob, chatWithBob, privateMessage, renderPrivate, server } from "./privateHarness";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

/** Records the tones a page plays: one oscillator per tone, with its pitch. */
class FakeAudioContext {
  static tones: { hz: number; stopped: boolean }[] = [];
  state = "running";
  currentTime = 0;
  destination = {};
  resume = vi.fn(async () => {});
  createGain() {
    const node = { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: () => node };
    return node;
  }
  createOscillator() {
    const tone = { hz: 0, stopped: false };
    FakeAudioContext.tones.push(tone);
    return {
      type: "sine",
      frequency: { setValueAtTime: (hz: number) => (tone.hz = hz) },
      connect: (next: unknown) => next,
      start() {},
      stop: (when?: number) => {
        if (when === undefined) tone.stopped = true;
      },
    };
  }
}

const tones = () => FakeAudioContext.tones.length;
const sounding = () => FakeAudioContext.tones.filter((tone) => !tone.stopped).length;

async function ringIn(): Promise<void> {
  const call = { id: "call-9", callerId: bob.id, state: "ringing" as const };
  server.serverEmit("call:incoming", { call, from: chatWithBob.with });
  await screen.findByRole("alertdialog", { name: "Incoming call from Bob" });
}

let pinia: Pinia;
let hidden = false;
beforeEach(() => {
  localStorage.clear();
  FakeAudioContext.tones = [];
  setAudioContextFactory(() => new FakeAudioContext() as unknown as AudioContext);
  hidden = false;
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
  pinia = renderPrivate();
  useSoundStore(pinia);
  render(SoundToggle, { global: { plugins: [pinia] } });
  server.serverEmit("private:opened", { chat: chatWithBob, messages: [] });
});
afterEach(() => {
  cleanup();
  disposePinia(pinia);
  hidden = false;
});

describe("sounds", () => {
  it("compact (a phone's header in a call): a bell instead of the word, the switch still named Sounds", () => {
    const { container } = render(SoundToggle, { props: { compact: true }, global: { plugins: [pinia] } });
    const toggle = within(container as HTMLElement).getByRole("switch", { name: "Sounds" });
    expect(toggle.closest("label")?.classList.contains("is-compact")).toBe(true);
    expect(screen.getAllByRole("switch", { name: "Sounds" })[0]!.closest("label")?.classList).not.toContain(
      "is-compact",
    );
  });

  it("rings while Bob calls and stops, scheduled tones included, when the call is declined", async () => {
    await ringIn();
    expect(tones()).toBeGreaterThan(0);
    await userEvent.setup().keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(sounding()).toBe(0);
  });

  it("rings while Bob invites Alice to a group call, until she answers", async () => {
    const call = {
      id: "group-3",
      room: "LOBBY",
      participants: [chatWithBob.with],
      version: 1,
      max: 6,
      media: {},
    };
    server.serverEmit("group:invited", { call, from: chatWithBob.with });
    await screen.findByRole("alertdialog", { name: "Group call invitation from Bob" });
    expect(tones()).toBeGreaterThan(0);
    await userEvent.setup().keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(sounding()).toBe(0);
  });

  it("chimes for Bob's private message only while the tab is hidden", async () => {
    server.serverEmit("private:message", privateMessage(1, "visible"));
    expect(tones()).toBe(0);
    hidden = true;
    server.serverEmit("private:message", privateMessage(2, "hidden"));
    expect(tones()).toBe(2); // two notes
  });

  it("stays silent with Sounds off, and remembers the choice", async () => {
    const toggle = screen.getByRole("switch", { name: "Sounds" }) as HTMLInputElement;
    expect(toggle.checked).toBe(true);
    await userEvent.setup().click(toggle);
    expect(toggle.checked).toBe(false);
    expect(localStorage.getItem("videochat.sounds")).toBe("off");
    await ringIn();
    hidden = true;
    server.serverEmit("private:message", privateMessage(1, "hidden"));
    expect(tones()).toBe(0);
  });

  it("starts with Sounds off in a new tab when the user turned them off before", () => {
    cleanup();
    disposePinia(pinia);
    localStorage.setItem("videochat.sounds", "off");
    pinia = renderPrivate();
    render(SoundToggle, { global: { plugins: [pinia] } });
    expect((screen.getByRole("switch", { name: "Sounds" }) as HTMLInputElement).checked).toBe(false);
  });
});
