// @vitest-environment happy-dom
// The SPA opened by LAN address over plain HTTP (not a secure context): it still starts, and says
// plainly that camera and microphone need HTTPS or localhost instead of failing silently.
import { cleanup, screen, waitFor, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { disposePinia, type Pinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { tabId } from "../src/features/session/tabStorage";
import { openLocalMedia } from "../src/webrtc/media";
import en from "../src/i18n/en";
import { bob, chatWithBob, renderPrivate, requests, server } from "./privateHarness";

/** The English catalogue's text: the test runs in English (happy-dom's navigator says en-US). */
const INSECURE_PAGE_MESSAGE = en.call.insecurePage;

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);
// No RTCPeerConnection in happy-dom; what matters here is what the user is told.
vi.mock("../src/webrtc/peer", () => ({
  PeerSession: class {
    on() {
      return () => {};
    }
    receive() {
      return Promise.resolve();
    }
    stop() {}
    replaceTrack() {
      return Promise.resolve();
    }
    setScreen() {}
  },
}));

// What a browser exposes on http://192.168.1.20:3000: no secure context, no mediaDevices, no randomUUID.
beforeEach(() => {
  vi.stubGlobal("isSecureContext", false);
  vi.stubGlobal("crypto", { getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

it("gives the tab an id without crypto.randomUUID, which insecure pages lack", () => {
  sessionStorage.clear();
  const id = tabId();
  expect(id).toMatch(/^[0-9a-f]{32}$/);
  expect(tabId()).toBe(id);
});

it("asks for no camera on an insecure page and says why", async () => {
  const getUserMedia = vi.fn();
  const media = await openLocalMedia(getUserMedia);
  expect(media).toEqual({ stream: null, audio: false, video: false, problem: "insecure" });
  expect(getUserMedia).not.toHaveBeenCalled();
});

describe("the private chat on an insecure page", () => {
  let pinia: Pinia;
  beforeEach(() => {
    pinia = renderPrivate();
    server.serverEmit("private:opened", { chat: chatWithBob, messages: [] });
  });
  afterEach(() => {
    cleanup();
    disposePinia(pinia);
  });
  const region = () => within(screen.getByRole("region", { name: `Private chat with ${bob.name}` }));

  it("says before the call that camera and microphone need HTTPS or localhost", async () => {
    const note = await region().findByRole("note");
    expect(note.textContent).toBe(INSECURE_PAGE_MESSAGE);
    expect(note.textContent).toMatch(/^Camera and microphone need HTTPS or localhost\./);
  });

  it("still calls, receive-only, and says it again in the call", async () => {
    const video = region().getByRole("button", { name: "Video call" }) as HTMLButtonElement;
    expect(video.disabled).toBe(false);
    await userEvent.setup().click(video);
    expect(requests("call:invite")).toEqual([{}]);
    server.serverEmit("call:answered", { callId: "call-1", accept: true });
    const alert = await within(screen.getByRole("region", { name: "Call" })).findByRole("alert");
    expect(alert.textContent).toBe(INSECURE_PAGE_MESSAGE);
    await waitFor(() => expect(region().queryByRole("note")).toBeNull());
  });
});
