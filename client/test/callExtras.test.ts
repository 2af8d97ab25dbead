// @vitest-environment happy-dom
// Raise hand, reactions and network quality in a group call, by role and name: the controls, what
// the tiles and the member list show, and what goes to the server.
import { screen, waitFor, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { GroupCall } from "@videochat/protocol";
import { useNetworkQualityStore } from "../src/features/call/networkQualityStore";
import { alice, bob, requests, server } from "./privateHarness";
import { callWithBob, inBobsCall, stage, tile } from "./stageHarness";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

const call = inBobsCall();

/** The call's next state, as the server sends it to the room (with Alice in it). */
function callState(version: number, hands: Record<string, number>): void {
  const next: GroupCall = {
    ...callWithBob,
    participants: [callWithBob.participants[0]!, { id: alice.id, name: alice.name }],
    version,
    hands,
  };
  server.serverEmit("group:state", { room: "LOBBY", call: next });
}

const members = () => within(screen.getByRole("list", { name: "Members" }));
const memberRow = (name: string) =>
  members()
    .getAllByRole("listitem")
    .find((item) => item.textContent?.includes(name))!;

describe("raising a hand", () => {
  it("is a toggle named Raise hand, then Lower hand, sent for the call", async () => {
    const user = userEvent.setup();
    const raise = stage().getByRole("button", { name: "Raise hand" });
    expect(raise.getAttribute("aria-pressed")).toBe("false");
    await user.click(raise);
    expect(requests("group:hand")).toEqual([{ callId: callWithBob.id, raised: true }]);
    callState(5, { [alice.id]: 1000 });
    const lower = await stage().findByRole("button", { name: "Lower hand" });
    expect(lower.getAttribute("aria-pressed")).toBe("true");
    expect(within(tile("Alice (you)")).getByRole("img", { name: "Hand raised" })).toBeTruthy();
    await user.click(lower);
    expect(requests("group:hand")).toEqual([
      { callId: callWithBob.id, raised: true },
      { callId: callWithBob.id, raised: false },
    ]);
    callState(6, {});
    await stage().findByRole("button", { name: "Raise hand" });
  });

  it("shows someone else's raised hand on their tile and in the member list", async () => {
    expect(within(tile("Bob")).queryByRole("img", { name: "Hand raised" })).toBeNull();
    callState(5, { [bob.id]: 1000 });
    await waitFor(() => expect(within(tile("Bob")).getByRole("img", { name: "Hand raised" })).toBeTruthy());
    expect(within(memberRow("Bob")).getByRole("img", { name: "Hand raised" })).toBeTruthy();
    expect(within(memberRow("Carol")).queryByRole("img", { name: "Hand raised" })).toBeNull();
    // Its words show in the app's tooltip on keyboard focus too, not in a title only a mouse finds.
    const badge = within(tile("Bob")).getByRole("img", { name: "Hand raised" });
    expect(badge.hasAttribute("title")).toBe(false);
    badge.focus();
    await waitFor(() =>
      expect(screen.getAllByRole("tooltip").some((tip) => tip.textContent?.includes("Hand raised"))).toBe(
        true,
      ),
    );
    callState(6, {});
    await waitFor(() => expect(within(tile("Bob")).queryByRole("img", { name: "Hand raised" })).toBeNull());
  });
});

describe("reactions", () => {
  it("offers a menu of emoji named for people; the one picked floats over our tile and is sent", async () => {
    const user = userEvent.setup();
    await user.click(stage().getByRole("button", { name: "Reactions" }));
    const menu = await screen.findByRole("menu", { name: "Reactions" });
    const names = within(menu)
      .getAllByRole("menuitem")
      .map((item) => item.getAttribute("aria-label"));
    expect(names).toEqual(["Thumbs up", "Heart", "Laughing", "Surprised", "Clapping", "Celebrate"]);
    await user.click(within(menu).getByRole("menuitem", { name: "Celebrate" }));
    expect(requests("call:reaction")).toEqual([{ callId: callWithBob.id, reaction: "🎉" }]);
    expect(within(tile("Alice (you)")).getByRole("img", { name: "Alice reacted 🎉" })).toBeTruthy();
  });

  it("floats someone else's reaction over their tile for a few seconds, only for the current call", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const user = { id: bob.id, name: bob.name };
      server.serverEmit("call:reaction", { callId: "another-call", user, reaction: "👍" });
      server.serverEmit("call:reaction", { callId: callWithBob.id, user, reaction: "👏" });
      const burst = await within(tile("Bob")).findByRole("img", { name: "Bob reacted 👏" });
      expect(burst).toBeTruthy();
      expect(within(tile("Bob")).queryByRole("img", { name: "Bob reacted 👍" })).toBeNull();
      await vi.advanceTimersByTimeAsync(4100);
      expect(within(tile("Bob")).queryByRole("img", { name: /reacted/ })).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("network quality", () => {
  /** Bob's link reports these counters (packets, lost, frames decoded) and round trip (s). */
  function bobsLink(packets: number, lost: number, frames: number, rtt: number): void {
    const stats = new Map<string, unknown>([
      [
        "a",
        {
          type: "inbound-rtp",
          kind: "video",
          packetsReceived: packets,
          packetsLost: lost,
          framesDecoded: frames,
        },
      ],
      ["p", { type: "candidate-pair", nominated: true, state: "succeeded", currentRoundTripTime: rtt }],
    ]);
    call.devices().pcs[0]!.getStats = async () => stats;
  }
  const bars = () => within(tile("Bob")).getByRole("img", { name: /^Network quality/ });

  it("shows three bars on each remote tile, named with the level and the figures", async () => {
    const quality = useNetworkQualityStore();
    bobsLink(1000, 0, 0, 0.04);
    await quality.poll();
    await waitFor(() =>
      expect(bars().getAttribute("aria-label")).toMatch(/^Network quality: good\. Round trip 40 ms/),
    );
    expect(bars().querySelectorAll(".bar.lit")).toHaveLength(3);
    expect(within(tile("Alice (you)")).queryByRole("img", { name: /^Network quality/ })).toBeNull();
    bobsLink(1900, 100, 0, 0.7); // 10 % lost, 700 ms
    await quality.poll();
    await waitFor(() =>
      expect(bars().getAttribute("aria-label")).toMatch(
        /^Network quality: poor\. Round trip 700 ms\. Packet loss 10\.0 %/,
      ),
    );
    expect(bars().querySelectorAll(".bar.lit")).toHaveLength(1);
  });

  it("says Poor connection on the self-view only while every outbound link suffers", async () => {
    const quality = useNetworkQualityStore();
    const selfStatus = () => within(tile("Alice (you)")).getByRole("status");
    const uplink = (sent: number, lost: number, rtt: number) => {
      const stats = new Map<string, unknown>([
        ["o", { type: "outbound-rtp", kind: "audio", packetsSent: sent }],
        ["r", { type: "remote-inbound-rtp", kind: "audio", packetsLost: lost, roundTripTime: rtt }],
      ]);
      call.devices().pcs[0]!.getStats = async () => stats;
    };
    uplink(1000, 0, 0.03);
    await quality.poll();
    expect(selfStatus().textContent?.trim()).toBe("");
    uplink(1500, 200, 0.9);
    await quality.poll();
    await waitFor(() => expect(selfStatus().textContent?.trim()).toBe("Poor connection"));
  });
});
