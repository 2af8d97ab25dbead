// Alice in Bob's group call, for tests of the stage, screen sharing and devices: the real MeshCall and
// PeerSession on fake peer connections, fake devices, and Alice's connection to Bob once negotiated.
import { cleanup, screen, waitFor, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { disposePinia, type Pinia } from "pinia";
import { afterEach, beforeEach, expect, vi } from "vitest";
import type { GroupCall, MediaState } from "@videochat/protocol";
import { type FakeDevices, installFakeDevices } from "./fakeDevices";
import { bob, renderPrivate, requests, server } from "./privateHarness";

export const callWithBob: GroupCall = {
  id: "group-7",
  room: "LOBBY",
  participants: [{ id: bob.id, name: bob.name }],
  version: 1,
  max: 6,
  media: {},
};

export const stage = () => within(screen.getByRole("region", { name: "Call" }));
export const tile = (name: string) => stage().getByRole("group", { name });
export const tileNames = () =>
  stage()
    .queryAllByRole("group")
    .map((tile) => tile.getAttribute("aria-label"))
    .sort();

/** Renders Alice's screen, joins Bob's call and lets Bob answer; returns the pinia and Alice's pc to Bob. */
export async function joinBobsCall(devices: FakeDevices): Promise<{ pinia: Pinia }> {
  const pinia = renderPrivate({ groupCall: callWithBob });
  await userEvent.setup().click(await screen.findByRole("button", { name: "Join group call" }));
  await waitFor(() => expect(requests("group:signal")).not.toEqual([]));
  server.serverEmit("group:signal", {
    callId: callWithBob.id,
    peer: bob.id,
    description: { type: "answer", sdp: "bob's answer" },
  });
  await waitFor(() => expect(devices.pcs[0]?.signalingState).toBe("stable"));
  return { pinia };
}

/** What Bob tells Alice of his media (call:media). */
export function bobSays(media: MediaState): void {
  server.serverEmit("call:media", { ...media, callId: callWithBob.id, user: { id: bob.id, name: bob.name } });
}

/** Each test of the file starts in Bob's call; returns what the test reads (fresh per test). */
export function inBobsCall(): { devices: () => FakeDevices } {
  let devices: FakeDevices;
  let pinia: Pinia;
  beforeEach(async () => {
    devices = installFakeDevices();
    ({ pinia } = await joinBobsCall(devices));
  });
  afterEach(() => {
    cleanup();
    disposePinia(pinia);
    vi.unstubAllGlobals();
  });
  return { devices: () => devices };
}
