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
import { bob, chatWithBob, renderPrivate, requests, server } from "./privateHarness";

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
const callStatus = () => region().getByRole("status", { name: "Call status" }).textContent?.trim();
const callDuration = () => region().queryByLabelText("Call duration")?.textContent;
const callNotice = () => region().getByRole("status", { name: "Call notices" }).textContent?.trim();
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
    await waitFor(() => expect(callStatus()).toBe("Call: ringing"));
    expect(button("Video call").disabled).toBe(true);
    expect(document.activeElement).toBe(button("Hang up")); // not lost with the disabled button
    await user.click(button("Hang up"));
    expect(requests("call:end")).toEqual([{ callId: "call-1" }]);
    expect(callStatus()).toBe("Call: ended");
    expect(peers.openLocalMedia).not.toHaveBeenCalled(); // no camera before the call is accepted
  });

  it("says so when Bob declines or does not answer", async () => {
    const user = userEvent.setup();
    await user.click(button("Video call"));
    server.serverEmit("call:ended", { callId: "call-1", reason: "declined" });
    await waitFor(() => expect(callNotice()).toBe("Bob declined the call"));
    expect(callStatus()).toBe("Call: ended");

    await user.click(button("Video call"));
    await waitFor(() => expect(callStatus()).toBe("Call: ringing"));
    expect(callNotice()).toBe("");
    server.serverEmit("call:ended", { callId: "call-1", reason: "missed" });
    await waitFor(() => expect(callNotice()).toBe("Missed call"));
  });

  it("starts media when Bob accepts, as the impolite peer, and keeps Bob's early offer", async () => {
    await userEvent.setup().click(button("Video call"));
    await waitFor(() => expect(callStatus()).toBe("Call: ringing"));
    server.serverEmit("call:answered", { callId: "call-1", accept: true });
    // Bob's offer overtakes our camera prompt.
    const offer: CallSignal = { callId: "call-1", description: { type: "offer", sdp: "v=0 bob" } };
    server.serverEmit("call:signal", offer);
    await waitFor(() => expect(callStatus()).toBe("Call: connecting"));
    await waitFor(() => expect(peers.FakePeerSession.all).toHaveLength(1));
    expect(lastPeer().options.polite).toBe(false);
    expect(lastPeer().received).toEqual([{ description: offer.description, candidate: undefined }]);
    expect(requests("call:ice-servers")).toEqual([{}]); // fresh servers for each connection
  });

  it("shows the other call states only for the call it belongs to", async () => {
    await userEvent.setup().click(button("Video call"));
    server.serverEmit("call:ended", { callId: "another-call", reason: "missed" });
    await settle();
    expect(callStatus()).toBe("Call: ringing");
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
    expect(callStatus()).toBe("Call: ended");
    expect(callNotice()).toBe("Call declined");
    await waitFor(() =>
      expect(document.activeElement).toBe(region().getByRole("textbox", { name: "Private message" })),
    );
  });

  it("declines with Escape", async () => {
    const { user } = await ringIn();
    await user.keyboard("{Escape}");
    expect(requests("call:answer")).toEqual([{ callId: "call-9", accept: false }]);
    expect(screen.queryByRole("alertdialog")).toBeNull();
  });

  it("stops ringing when the call is missed", async () => {
    await ringIn();
    expect(callStatus()).toBe("Call: ringing");
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
    expect(callStatus()).toBe("Call: connecting");
    expect(lastPeer().options.polite).toBe(true); // the callee yields on glare
    expect(stage().getByRole("group", { name: "Alice (you)" })).toBeTruthy();
    expect(stage().getByRole("group", { name: "Bob" })).toBeTruthy();

    lastPeer().emit("state", "connected" satisfies PeerState);
    await waitFor(() => expect(callStatus()).toBe("Call: connected"));
    expect(callDuration()).toBe("00:00");
    await vi.advanceTimersByTimeAsync(65_000);
    expect(callDuration()).toBe("01:05");

    await user.click(button("Mute microphone"));
    expect(stream.getAudioTracks()[0]!.enabled).toBe(false);
    await user.click(button("Turn camera off"));
    expect(stream.getVideoTracks()[0]!.enabled).toBe(false);
    expect(button("Unmute microphone")).toBeTruthy();
    expect(button("Turn camera on")).toBeTruthy();

    lastPeer().emit("state", "reconnecting" satisfies PeerState);
    await waitFor(() => expect(callStatus()).toBe("Call: reconnecting"));
    expect(callDuration()).toBe("01:05"); // the clock runs on while the path is repaired

    await user.click(button("Hang up"));
    expect(requests("call:end")).toEqual([{ callId: "call-9" }]);
    expect(callStatus()).toBe("Call: ended");
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
    await waitFor(() => expect(callStatus()).toBe("Call: ended"));
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

// Keep the PeerOptions import honest: the fake takes what the store passes.
export type _Options = Pick<PeerOptions, "polite" | "awaitOffer" | "local">;
