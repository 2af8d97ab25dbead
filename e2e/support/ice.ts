// Which network path a page's calls took, read from the browser's own WebRTC statistics (W3C
// webrtc-stats): the selected candidate pair of each open peer connection, and every candidate the
// page knew of, by type (host, srflx, prflx, relay).
import type { Page } from "playwright-core";
import "./media.js"; // the page's peer connections, recorded by the media probe

export interface CallPath {
  /** candidateType of the selected pair's local and remote candidates; "" before one is selected. */
  local: string;
  remote: string;
  /** "address:port" of the selected pair's local candidate (a relay's: coturn's relayed address). */
  localAddress: string;
  /** The types of every local and remote candidate in the stats report, sorted, without repeats. */
  localTypes: string[];
  remoteTypes: string[];
}

type Stats = { id: string; type: string } & Record<string, unknown>;

/** One entry per open peer connection of the page. */
export function callPaths(page: Page): Promise<CallPath[]> {
  return page.evaluate(async () => {
    const paths: CallPath[] = [];
    for (const peer of window.__e2eMedia?.peers ?? []) {
      if (peer.connectionState === "closed") continue;
      const report = new Map<string, Stats>();
      (await peer.getStats()).forEach((stats: Stats) => report.set(stats.id, stats));
      const all = [...report.values()];
      // Chromium names the selected pair on the transport; the spec's `nominated` + succeeded is the fallback.
      const transport = all.find((stats) => stats.type === "transport" && stats.selectedCandidatePairId);
      const pair =
        report.get(String(transport?.selectedCandidatePairId)) ??
        all.find((s) => s.type === "candidate-pair" && s.nominated && s.state === "succeeded");
      const typeOf = (id: unknown) => String(report.get(String(id))?.candidateType ?? "");
      const local = pair ? report.get(String(pair.localCandidateId)) : undefined;
      const typesOf = (kind: string) =>
        [...new Set(all.filter((s) => s.type === kind).map((s) => String(s.candidateType)))].sort();
      paths.push({
        local: pair ? typeOf(pair.localCandidateId) : "",
        remote: pair ? typeOf(pair.remoteCandidateId) : "",
        localAddress: local ? `${String(local.address ?? local.ip)}:${String(local.port)}` : "",
        localTypes: typesOf("local-candidate"),
        remoteTypes: typesOf("remote-candidate"),
      });
    }
    return paths;
  });
}
