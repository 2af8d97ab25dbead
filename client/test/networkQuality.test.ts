// The network-quality grading from webrtc-stats entries: samples, figures between two samples, bars.
import { describe, expect, it } from "vitest";
import {
  barsFor,
  figuresBetween,
  inboundSample,
  outboundSample,
  pairRoundTripMs,
  type StatEntry,
  uplinkBars,
} from "../src/webrtc/networkQuality";

/** What arrives from one person: audio and video streams, and the selected pair's round trip. */
function inbound(packets: number, lost: number, frames: number, rttSeconds = 0.05): StatEntry[] {
  return [
    { type: "inbound-rtp", kind: "audio", packetsReceived: packets / 2, packetsLost: lost / 2 },
    {
      type: "inbound-rtp",
      kind: "video",
      packetsReceived: packets / 2,
      packetsLost: lost / 2,
      framesDecoded: frames,
    },
    { type: "transport", id: "T1", selectedCandidatePairId: "P2" },
    { type: "candidate-pair", id: "P1", nominated: true, state: "succeeded", currentRoundTripTime: 9 },
    {
      type: "candidate-pair",
      id: "P2",
      nominated: true,
      state: "succeeded",
      currentRoundTripTime: rttSeconds,
    },
  ];
}

describe("samples", () => {
  it("sums the inbound streams and takes the transport's selected pair's round trip", () => {
    expect(inboundSample(inbound(1000, 10, 300), 5000)).toEqual({
      at: 5000,
      packets: 1000,
      lost: 10,
      frames: 300,
      rttMs: 50,
    });
  });

  it("falls back to the nominated succeeded pair, and says null without one", () => {
    const pair = { type: "candidate-pair", nominated: true, state: "succeeded", currentRoundTripTime: 0.12 };
    expect(pairRoundTripMs([pair])).toBeCloseTo(120);
    expect(pairRoundTripMs([{ ...pair, state: "in-progress" }])).toBeNull();
    expect(inboundSample([], 0)).toEqual({ at: 0, packets: 0, lost: 0, frames: null, rttMs: null });
  });

  it("reads the uplink from outbound-rtp and the far end's receiver reports", () => {
    const entries: StatEntry[] = [
      { type: "outbound-rtp", kind: "video", packetsSent: 900, framesEncoded: 270 },
      { type: "outbound-rtp", kind: "audio", packetsSent: 100 },
      { type: "remote-inbound-rtp", kind: "video", packetsLost: 30, roundTripTime: 0.3 },
      { type: "remote-inbound-rtp", kind: "audio", packetsLost: 2, roundTripTime: 0.1 },
    ];
    expect(outboundSample(entries, 1)).toEqual({ at: 1, packets: 1000, lost: 32, frames: 270, rttMs: 300 });
  });
});

describe("figures between two samples", () => {
  it("gives the loss in percent and the frames per second since the previous sample", () => {
    const before = inboundSample(inbound(1000, 0, 300), 10_000);
    const after = inboundSample(inbound(1980, 20, 360), 12_000);
    expect(figuresBetween(before, after)).toEqual({ rttMs: 50, lossPercent: 2, framesPerSecond: 30 });
  });

  it("has only the round trip for a first sample, or after the counters went back (a new connection)", () => {
    const first = inboundSample(inbound(1000, 0, 300), 10_000);
    expect(figuresBetween(null, first)).toEqual({ rttMs: 50, lossPercent: null, framesPerSecond: null });
    const restarted = inboundSample(inbound(10, 0, 3), 12_000);
    expect(figuresBetween(first, restarted)).toEqual({ rttMs: 50, lossPercent: null, framesPerSecond: null });
    expect(figuresBetween(first, { ...first })).toEqual({
      rttMs: 50,
      lossPercent: null,
      framesPerSecond: null,
    });
  });
});

describe("bars", () => {
  const good = { rttMs: 40, lossPercent: 0, framesPerSecond: 30 };

  it("gives 3 bars to a good link and takes the worst figure otherwise", () => {
    expect(barsFor(good, true)).toBe(3);
    expect(barsFor({ ...good, rttMs: 350 }, true)).toBe(2);
    expect(barsFor({ ...good, rttMs: 900 }, true)).toBe(1);
    expect(barsFor({ ...good, lossPercent: 5 }, true)).toBe(2);
    expect(barsFor({ ...good, lossPercent: 12, rttMs: 300 }, true)).toBe(1);
    expect(barsFor({ ...good, framesPerSecond: 10 }, true)).toBe(2);
    expect(barsFor({ ...good, framesPerSecond: 3 }, true)).toBe(1);
  });

  it("ignores the frame rate when the camera is off, and knows nothing before any figure", () => {
    expect(barsFor({ ...good, framesPerSecond: 0 }, false)).toBe(3);
    expect(barsFor({ rttMs: null, lossPercent: null, framesPerSecond: 30 }, false)).toBeNull();
    expect(barsFor({ rttMs: null, lossPercent: null, framesPerSecond: null }, true)).toBeNull();
  });

  it("rates the uplink by its best link: one poor link is as likely the other side's", () => {
    const poor = { rttMs: 900, lossPercent: 20, framesPerSecond: 2 };
    expect(uplinkBars([poor, good], true)).toBe(3);
    expect(uplinkBars([poor, poor], true)).toBe(1);
    expect(uplinkBars([], true)).toBeNull();
  });
});
