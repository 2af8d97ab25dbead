// Whether video really arrives: a call can be "connected" while no frame gets decoded (a blocked
// path, a muted sender), and only the receiver's stats can tell.
import type { StatEntry } from "./networkQuality";

/** Frames decoded so far across the inbound video streams of one report. */
export function inboundVideoFramesDecoded(report: RTCStatsReport): number {
  let frames = 0;
  report.forEach((stat: { type?: string; kind?: string; framesDecoded?: number }) => {
    if (stat.type === "inbound-rtp" && stat.kind === "video") frames += stat.framesDecoded ?? 0;
  });
  return frames;
}

/** Reads the frames decoded from anything with `getStats()` (a peer connection or a PeerSession). */
export async function framesDecoded(source: { getStats(): Promise<RTCStatsReport> }): Promise<number> {
  return inboundVideoFramesDecoded(await source.getStats());
}

/** The entries of a report as plain objects (networkQuality reads them). */
export function statEntries(report: RTCStatsReport): StatEntry[] {
  return [...(report as unknown as Map<string, StatEntry>).values()];
}
