// @vitest-environment happy-dom
import { cleanup, screen, waitFor, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { disposePinia, type Pinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CallSignal } from "@videochat/protocol";
import type * as MediaModule from "../src/webrtc/media";
import type { LocalMedia } from "../src/webrtc/media";
import type { PeerOptions, PeerState } from "../src/webrtc/peer";
import { fakeStream } from "./fakePeerConnection";
import { alice, bob, chatWithBob, renderPrivate, requests, server } from "./privateHarness";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

/** Stands in for the WebRTC side: records what the store asks of it, emits what a peer would. */
const peers = vi.hoisted(() => {
  class FakePeerSession {
    static all: FakePeerSession[] = [];
    received: unknown[] = [];
    stopped = false;
    resync = () => {};
    private listeners: Record<string, ((payload: unknown) => void)[]> = {};
    replaced: [string, unknown][] = [];
    constructor(
      readonly options: {
        polite: boolean;
        awaitOffer?: boolean;
        local: { microphone: unknown; camera: unknown };
      },
    ) {
      FakePeerSession.all.push(this);
    }
    replaceTrack(source: string, track: unknown) {
      this.replaced.push([source, track]);
      return Promise.resolve();
    }
    setScreen() {}
    getStats() {
      return Promise.resolve(new Map());
    }
    on(event: string, listener: (payload: unknown) => void) {
      (this.listeners[event] ??= []).push(listener);
      return () => {};
    }
    emit(event: string, payload: unknown) {
      for (const listener of this.listeners[event] ?? []) listener(payload);
    }
    receive(signal: unknown) {
      this.received.push(signal);
      return Promise.resolve();
    }
    stop() {
      this.stopped = true;
    }
  }
  return { FakePeerSession, openLocalMedia: vi.fn() };
});
vi.mock("../src/webrtc/peer", () => ({ PeerSession: peers.FakePeerSession }));
vi.mock("../src/webrtc/media", async (original) => ({
  ...(await original<typeof MediaModule>()),
  openLocalMedia: peers.openLocalMedia,
}));

const region = () => within(screen.getByRole("region", { name: "Private chat with Bob" }));
const stage = () => within(screen.getByRole("region", { name: "Call" }));
// The call's state sits in the private chat before and after a call, on the stage during one.
const callStatus = () => screen.getByRole("status", { name: "Call status" }).textContent?.trim();
const callDuration = () => screen.queryByLabelText("Call duration")?.textContent;
/** The call duration shown, "mm:ss", in seconds. */
const durationSeconds = () => {
  const [minutes, seconds] = (callDuration() ?? "").split(":").map(Number);
  return minutes! * 60 + seconds!;
};
const callNotice = () => screen.getByRole("status", { name: "Call notices" }).textContent?.trim();
const button = (name: string) => screen.getByRole("button", { name }) as HTMLButtonElement;
const lastPeer = () => peers.FakePeerSession.all.at(-1)!;
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

let stream: ReturnType<typeof fakeStream>;
let pinia: Pinia;
beforeEach(() => {
  peers.FakePeerSession.all = [];
  stream = fakeStream(["audio", "video"]);
  peers.openLocalMedia.mockImplementation(async (): Promise<LocalMedia> => ({
    stream: stream as unknown as MediaStream,
    audio: true,
    video: true,
    problem: null,
  }));
  pinia = renderPrivate();
  server.serverEmit("private:opened", { chat: chatWithBob, messages: [] });
});
afterEach(() => {
  cleanup();
  disposePinia(pinia);
  vi.useRealTimers();
});

async function ringIn(user = userEvent.setup()) {
  const call = { id: "call-9", callerId: bob.id, state: "ringing" as const };
  server.serverEmit("call:incoming", { call, from: chatWithBob.with });
  await screen.findByRole("alertdialog", { name: "Incoming call from Bob" });
  return { user, call };
}

describe("calling Bob", () => {
  it("rings, and Hang up cancels the call on both sides", async () => {
    const user = userEvent.setup();
    expect(callStatus()).toBe("");
    await user.click(button("Video call"));
    expect(requests("call:invite")).toEqual([{}]);
    await waitFor(() => expect(callStatus()).toBe("Ringing Bob…"));
    expect(button("Video call").disabled).toBe(true);
    expect(document.activeElement).toBe(button("Hang up")); // not lost with the disabled button
    await user.click(button("Hang up"));
    expect(requests("call:end")).toEqual([{ callId: "call-1" }]);
    expect(callStatus()).toBe("Call ended");
    expect(peers.openLocalMedia).not.toHaveBeenCalled(); // no camera before the call is accepted
  });

  it("says so when Bob declines or does not answer", async () => {
    const user = userEvent.setup();
    await user.click(button("Video call"));
    server.serverEmit("call:ended", { callId: "call-1", reason: "declined" });
    await waitFor(() => expect(callNotice()).toBe("Bob declined the call"));
    expect(callStatus()).toBe("Call ended");

    await user.click(button("Video call"));
    await waitFor(() => expect(callStatus()).toBe("Ringing Bob…"));
    expect(callNotice()).toBe("");
    server.serverEmit("call:ended", { callId: "call-1", reason: "missed" });
    await waitFor(() => expect(callNotice()).toBe("Bob did not answer"));
  });

  it("offers the microphone and camera toggles while it rings; the call starts as they were left", async () => {
    const user = userEvent.setup();
    await user.click(button("Video call"));
    await waitFor(() => expect(callStatus()).toBe("Ringing Bob…"));
    await user.click(stage().getByRole("button", { name: "Mute microphone" }));
    const unmute = stage().getByRole("button", { name: "Unmute microphone" });
    expect(unmute.getAttribute("aria-pressed")).toBe("true");
    expect(stage().getByRole("img", { name: "Microphone off" })).toBeTruthy(); // on the preview tile
    await user.click(stage().getByRole("button", { name: "Turn camera off" }));
    await user.click(stage().getByRole("button", { name: "Turn camera on" }));
    server.serverEmit("call:answered", { callId: "call-1", accept: true });
    await waitFor(() => expect(peers.FakePeerSession.all).toHaveLength(1));
    const [audio, video] = [stream.getAudioTracks()[0]!, stream.getVideoTracks()[0]!];
    expect([audio.enabled, video.enabled]).toEqual([false, true]);
    await waitFor(() => expect(requests("call:media").at(-1)).toMatchObject({ audio: false, video: true }));
    expect(stage().getByRole("button", { name: "Unmute microphone" })).toBeTruthy();
  });

  it("starts media when Bob accepts, as the impolite peer, and keeps Bob's early offer", async () => {
    await userEvent.setup().click(button("Video call"));
    await waitFor(() => expect(callStatus()).toBe("Ringing Bob…"));
    server.serverEmit("call:answered", { callId: "call-1", accept: true });
    // Bob's offer overtakes our camera prompt.
    const offer: CallSignal = { callId: "call-1", description: { type: "offer", sdp: "v=0 bob" } };
    server.serverEmit("call:signal", offer);
    await waitFor(() => expect(callStatus()).toBe("Connecting to Bob…"));
    await waitFor(() => expect(peers.FakePeerSession.all).toHaveLength(1));
    expect(lastPeer().options.polite).toBe(false);
    expect(lastPeer().received).toEqual([{ description: offer.description, candidate: undefined }]);
    expect(requests("call:ice-servers")).toEqual([{}]); // fresh servers for each connection
  });

  it("shows the other call states only for the call it belongs to", async () => {
    await userEvent.setup().click(button("Video call"));
    server.serverEmit("call:ended", { callId: "another-call", reason: "missed" });
    await settle();
    expect(callStatus()).toBe("Ringing Bob…");
  });
});

describe("a call from Bob", () => {
  it("offers Accept and Decline; Decline ends it", async () => {
    const { user } = await ringIn();
    const dialog = within(screen.getByRole("alertdialog", { name: "Incoming call from Bob" }));
    expect(dialog.getByRole("button", { name: "Accept" })).toBeTruthy();
    await user.click(dialog.getByRole("button", { name: "Decline" }));
    expect(requests("call:answer")).toEqual([{ callId: "call-9", accept: false }]);
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(callStatus()).toBe("Call ended");
    expect(callNotice()).toBe("Call declined");
    await waitFor(() =>
      expect(document.activeElement).toBe(region().getByRole("textbox", { name: "Private message" })),
    );
  });

  it("is a modal alert dialog: focus on the dialog itself, and Tab stays between its buttons", async () => {
    const { user } = await ringIn();
    const dialog = screen.getByRole("alertdialog", { name: "Incoming call from Bob" });
    await waitFor(() => expect(document.activeElement).toBe(dialog));
    expect(dialog.getAttribute("aria-describedby")).toBeTruthy();
    expect(within(dialog).getByText("Bob is calling you.")).toBeTruthy();
    for (let i = 0; i < 4; i += 1) {
      await user.tab();
      expect(dialog.contains(document.activeElement)).toBe(true);
    }
    expect(requests("call:answer")).toEqual([]);
  });

  it("declines with Escape", async () => {
    const { user } = await ringIn();
    await user.keyboard("{Escape}");
    expect(requests("call:answer")).toEqual([{ callId: "call-9", accept: false }]);
    expect(screen.queryByRole("alertdialog")).toBeNull();
  });

  it("stops ringing when the call is missed", async () => {
    await ringIn();
    // The dialog is modal: the page behind it is out of the accessibility tree until it is answered.
    expect(screen.queryByRole("region", { name: "Private chat with Bob" })).toBeNull();
    const status = screen.getByRole("status", { name: "Call status", hidden: true });
    expect(status.textContent?.trim()).toBe("Bob is calling…");
    server.serverEmit("call:ended", { callId: "call-9", reason: "missed" });
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(callNotice()).toBe("Missed call");
  });

  it("counts as missed when Bob gives up before it is answered", async () => {
    await ringIn();
    server.serverEmit("call:ended", { callId: "call-9", reason: "hangup" });
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(callNotice()).toBe("Missed call");
  });

  it("connects after Accept, counts the time, toggles mic and camera, and hangs up with the camera off", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { user } = await ringIn(userEvent.setup({ advanceTimers: vi.advanceTimersByTime }));
    await user.click(screen.getByRole("button", { name: "Accept" }));
    expect(requests("call:answer")).toEqual([{ callId: "call-9", accept: true }]);
    expect(document.activeElement).toBe(button("Hang up"));
    server.serverEmit("call:answered", { callId: "call-9", accept: true });
    await waitFor(() => expect(peers.FakePeerSession.all).toHaveLength(1));
    expect(callStatus()).toBe("Connecting to Bob…");
    expect(lastPeer().options.polite).toBe(true); // the callee yields on glare
    expect(stage().getByRole("group", { name: "Alice (you)" })).toBeTruthy();
    expect(stage().getByRole("group", { name: "Bob" })).toBeTruthy();

    lastPeer().emit("state", "connected" satisfies PeerState);
    await waitFor(() => expect(callStatus()).toBe("Connected"));
    expect(callDuration()).toBe("00:00");
    await vi.advanceTimersByTimeAsync(65_000);
    // 65 s, plus the real time the test itself took (the fake clock also runs with real time): "01:06"
    // once on a loaded machine.
    expect(callDuration()).toMatch(/^01:0[5-7]$/);
    const shown = durationSeconds();

    await user.click(button("Mute microphone"));
    expect(stream.getAudioTracks()[0]!.enabled).toBe(false);
    await user.click(button("Turn camera off"));
    expect(stream.getVideoTracks()[0]!.enabled).toBe(false);
    expect(button("Unmute microphone")).toBeTruthy();
    expect(button("Turn camera on")).toBeTruthy();

    lastPeer().emit("state", "reconnecting" satisfies PeerState);
    await waitFor(() => expect(callStatus()).toBe("Reconnecting…"));
    expect(durationSeconds()).toBeGreaterThanOrEqual(shown); // the clock runs on while the path is repaired

    await user.click(button("Hang up"));
    expect(requests("call:end")).toEqual([{ callId: "call-9" }]);
    expect(callStatus()).toBe("Call ended");
    expect(callDuration()).toBeUndefined();
    expect(stream.tracks.every((track) => track.stop.mock.calls.length > 0)).toBe(true);
    expect(lastPeer().stopped).toBe(true);
    expect(screen.queryByRole("region", { name: "Call" })).toBeNull();
    // Hang up is gone: focus goes back to writing, not to the page body.
    await waitFor(() =>
      expect(document.activeElement).toBe(region().getByRole("textbox", { name: "Private message" })),
    );
  });

  it("tells what is missing when there is no camera, and still connects", async () => {
    stream = fakeStream(["audio"]);
    peers.openLocalMedia.mockResolvedValueOnce({
      stream: stream as unknown as MediaStream,
      audio: true,
      video: false,
      problem: "camera-missing",
    });
    const { user } = await ringIn();
    await user.click(screen.getByRole("button", { name: "Accept" }));
    expect((await stage().findByRole("alert")).textContent).toBe(
      "Camera unavailable: you are on audio only.",
    );
    await waitFor(() => expect(lastPeer().options.local.camera).toBeNull());
    expect(button("Turn camera on").disabled).toBe(true);
  });

  it("ends the call and stops the camera when the chat closes", async () => {
    const { user } = await ringIn();
    await user.click(screen.getByRole("button", { name: "Accept" }));
    await waitFor(() => expect(peers.FakePeerSession.all).toHaveLength(1));
    server.serverEmit("call:ended", { callId: "call-9", reason: "chat_closed" });
    server.serverEmit("private:closed", { chatId: chatWithBob.id, by: chatWithBob.with, reason: "closed" });
    await waitFor(() => expect(callStatus()).toBe("Call ended"));
    expect(stream.tracks.every((track) => track.stop.mock.calls.length > 0)).toBe(true);
    expect(lastPeer().stopped).toBe(true);
    expect(button("Video call").disabled).toBe(true);
  });

  it("leaves a call another tab holds alone, and rings again for one still ringing after a reload", async () => {
    server.serverEmit("private:opened", {
      chat: chatWithBob,
      messages: [],
      call: { id: "call-5", callerId: bob.id, state: "active" },
    });
    expect(requests("call:end")).toEqual([]);
    expect(screen.queryByRole("alertdialog")).toBeNull();
    server.serverEmit("private:opened", {
      chat: chatWithBob,
      messages: [],
      call: { id: "call-6", callerId: bob.id, state: "ringing" },
    });
    const ringing = await screen.findByRole("alertdialog", { name: "Incoming call from Bob" });
    await userEvent.setup().click(within(ringing).getByRole("button", { name: "Accept" }));
    expect(requests("call:answer")).toEqual([{ callId: "call-6", accept: true }]);
  });

  it("gives up with a message when the connection cannot be repaired", async () => {
    const { user } = await ringIn();
    await user.click(screen.getByRole("button", { name: "Accept" }));
    await waitFor(() => expect(peers.FakePeerSession.all).toHaveLength(1));
    lastPeer().emit("state", "failed" satisfies PeerState);
    await waitFor(() => expect(callNotice()).toBe("The connection failed. Try calling again."));
    expect(requests("call:end")).toEqual([{ callId: "call-9" }]);
  });
});

describe("a reload or a lost connection mid-call", () => {
  async function connected() {
    const { user } = await ringIn();
    await user.click(screen.getByRole("button", { name: "Accept" }));
    server.serverEmit("call:answered", { callId: "call-9", accept: true });
    await waitFor(() => expect(peers.FakePeerSession.all).toHaveLength(1));
    lastPeer().emit("state", "connected" satisfies PeerState);
    await waitFor(() => expect(callStatus()).toBe("Connected"));
    return user;
  }
  const bobRef = { id: bob.id, name: bob.name };

  it("shows Bob reconnecting while his page is away, and connects afresh to his reloaded page", async () => {
    await connected();
    const first = lastPeer();
    server.serverEmit("call:participant", { callId: "call-9", user: bobRef, state: "away" });
    const tile = stage().getByRole("group", { name: "Bob" });
    await waitFor(() => expect(within(tile).getByRole("status").textContent).toBe("Bob is reconnecting…"));
    expect(callStatus()).toBe("Bob is reconnecting…");
    server.serverEmit("call:participant", { callId: "call-9", user: bobRef, state: "back", rejoined: true });
    await waitFor(() => expect(peers.FakePeerSession.all).toHaveLength(2));
    expect(first.stopped).toBe(true);
    expect(lastPeer().options.polite).toBe(true); // the same roles as before
    expect(within(stage().getByRole("group", { name: "Bob" })).queryByRole("status")).toBeNull();
    expect(requests("call:end")).toEqual([]);
  });

  it("says why the call ended when Bob's grace ran out", async () => {
    await connected();
    server.serverEmit("call:ended", { callId: "call-9", reason: "left", by: bobRef });
    await waitFor(() => expect(callNotice()).toBe("Bob left the call"));
    expect(lastPeer().stopped).toBe(true);
    await ringIn();
    await userEvent.setup().click(screen.getByRole("button", { name: "Accept" }));
    server.serverEmit("call:ended", { callId: "call-9", reason: "lost", by: bobRef });
    await waitFor(() => expect(callNotice()).toBe("Bob's connection was lost"));
  });

  it("comes back into the call by itself after this page reloads", async () => {
    // A fresh page: the chat with its active call, then the server says this tab still holds it.
    peers.openLocalMedia.mockClear();
    server.serverEmit("private:opened", {
      chat: chatWithBob,
      messages: [],
      call: { id: "call-5", callerId: alice.id, state: "active" },
    });
    server.serverEmit("call:held", { callId: "call-5", kind: "private" });
    await waitFor(() => expect(peers.FakePeerSession.all).toHaveLength(1));
    expect(lastPeer().options.polite).toBe(false); // Alice called: she offers, as before
    expect(peers.openLocalMedia).toHaveBeenCalledTimes(1);
    expect(callStatus()).toBe("Connecting to Bob…");
    expect(screen.queryByRole("button", { name: "Rejoin call" })).toBeNull();
    expect(requests("call:end")).toEqual([]);
  });

  it("raises and lowers a hand in the 1:1 call: Raise hand / Lower hand, on our tile and on Bob's", async () => {
    const user = await connected();
    const hand = (name: string) =>
      within(stage().getByRole("group", { name })).queryByRole("img", { name: "Hand raised" });
    const raise = stage().getByRole("button", { name: "Raise hand" });
    expect(raise.getAttribute("aria-pressed")).toBe("false");
    await user.click(raise);
    expect(requests("call:hand")).toEqual([{ callId: "call-9", raised: true }]);
    server.serverEmit("call:hands", { callId: "call-9", hands: { [alice.id]: 1_000 } });
    const lower = await stage().findByRole("button", { name: "Lower hand" });
    expect(lower.getAttribute("aria-pressed")).toBe("true");
    expect(hand("Alice (you)")).toBeTruthy();
    expect(hand("Bob")).toBeNull();
    // Bob raises his: it shows on his tile. Another call's hands change nothing here.
    server.serverEmit("call:hands", { callId: "call-9", hands: { [alice.id]: 1_000, [bob.id]: 2_000 } });
    await waitFor(() => expect(hand("Bob")).toBeTruthy());
    server.serverEmit("call:hands", { callId: "call-old", hands: {} });
    await user.click(lower);
    expect(requests("call:hand")).toEqual([
      { callId: "call-9", raised: true },
      { callId: "call-9", raised: false },
    ]);
    server.serverEmit("call:hands", { callId: "call-9", hands: { [bob.id]: 2_000 } });
    await stage().findByRole("button", { name: "Raise hand" });
    expect(hand("Alice (you)")).toBeNull();
    expect(hand("Bob")).toBeTruthy();
  });

  it("shows a hand raised before this page reloaded", async () => {
    server.serverEmit("private:opened", {
      chat: chatWithBob,
      messages: [],
      call: { id: "call-5", callerId: alice.id, state: "active", hands: { [bob.id]: 1_000 } },
    });
    server.serverEmit("call:held", { callId: "call-5", kind: "private" });
    await waitFor(() => expect(peers.FakePeerSession.all).toHaveLength(1));
    lastPeer().emit("state", "connected" satisfies PeerState);
    const bobsTile = await stage().findByRole("group", { name: "Bob" });
    await waitFor(() => expect(within(bobsTile).getByRole("img", { name: "Hand raised" })).toBeTruthy());
    expect(stage().getByRole("button", { name: "Raise hand" })).toBeTruthy();
  });

  it("keeps Bob's offer that comes in the same batch as call:held after a reload", async () => {
    server.serverEmit("private:opened", {
      chat: chatWithBob,
      messages: [],
      call: { id: "call-5", callerId: bob.id, state: "active" },
    });
    // Bob's new connection offers the moment he hears we are back: in the same polling payload.
    const offer: CallSignal = { callId: "call-5", description: { type: "offer", sdp: "v=0 bob again" } };
    server.serverEmit("call:held", { callId: "call-5", kind: "private" });
    server.serverEmit("call:signal", offer);
    await waitFor(() => expect(peers.FakePeerSession.all).toHaveLength(1));
    expect(lastPeer().options.awaitOffer).toBe(true); // Bob called: we answer
    expect(lastPeer().received).toEqual([{ description: offer.description, candidate: undefined }]);
  });

  it("offers one Rejoin call button when the browser wants a gesture before the camera", async () => {
    const activation = { hasBeenActive: false };
    Object.defineProperty(navigator, "userActivation", { value: activation, configurable: true });
    peers.openLocalMedia.mockResolvedValueOnce({
      stream: null,
      audio: false,
      video: false,
      problem: "blocked",
    });
    server.serverEmit("private:opened", {
      chat: chatWithBob,
      messages: [],
      call: { id: "call-5", callerId: bob.id, state: "active" },
    });
    server.serverEmit("call:held", { callId: "call-5", kind: "private" });
    const rejoin = await screen.findByRole("button", { name: "Rejoin call" });
    expect(screen.getAllByRole("button", { name: "Rejoin call" })).toHaveLength(1);
    activation.hasBeenActive = true;
    await userEvent.setup().click(rejoin);
    await waitFor(() => expect(screen.queryByRole("button", { name: "Rejoin call" })).toBeNull());
    Reflect.deleteProperty(navigator, "userActivation");
  });
});

// Keep the PeerOptions import honest: the fake takes what the store passes.
export type _Options = Pick<PeerOptions, "polite" | "awaitOffer" | "local">;
