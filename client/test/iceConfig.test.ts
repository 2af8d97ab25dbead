// The ICE configuration a call starts with when the server cannot answer: a relay-only deployment
// (ICE_TRANSPORT_POLICY=relay, to hide people's addresses) must not fall back to direct candidates.
import { describe, expect, it, vi } from "vitest";
import type { FakeSocketModule } from "./fakeSocket";

vi.mock("../src/features/session/socket", async () =>
  (await import("./fakeSocket")).createFakeSocketModule(),
);

const socketModule = (await import("../src/features/session/socket")) as unknown as FakeSocketModule;
const { fallbackIceConfig, fetchIceConfig } = await import("../src/features/call/transport");

describe("the ICE configuration without an answer", () => {
  it("has no servers and direct candidates when the server never said otherwise", () => {
    expect(fallbackIceConfig()).toEqual({ iceServers: [], iceTransportPolicy: "all" });
  });

  it("stays relay-only once the server said relay-only, when a later request fails", async () => {
    const turn = { urls: ["turn:turn.test:3478"], username: "1:u", credential: "c" };
    socketModule.request.mockResolvedValueOnce({ ok: true, iceServers: [turn], iceTransportPolicy: "relay" });
    expect(await fetchIceConfig()).toEqual({ iceServers: [turn], iceTransportPolicy: "relay" });
    socketModule.request.mockResolvedValueOnce({
      ok: false,
      error: { code: "rate_limited", message: "Slow down." },
    });
    await expect(fetchIceConfig()).rejects.toThrow("Slow down.");
    expect(fallbackIceConfig()).toEqual({ iceServers: [], iceTransportPolicy: "relay" });
  });
});
