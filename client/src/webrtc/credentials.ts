// TURN credentials expire (the server issues them per user with a lifetime of at most an hour), and a
// relay allocation whose credential expired can no longer be refreshed with coturn: a call longer than
// the lifetime would lose its relayed path. These helpers say when to fetch fresh ones, and whether the
// path in use is relayed (then an ICE restart moves it onto the fresh credential before the old expires).

/** Never refresh more often than this (ms), whatever the credentials say. */
export const MIN_REFRESH_MS = 10_000;

/**
 * When the first of `servers`' credentials expires (ms since the epoch), read from usernames in the
 * TURN REST convention that coturn's `use-auth-secret` checks ("<expiry unix seconds>:<user id>");
 * null when none carries an expiry (no TURN, or static credentials).
 */
export function credentialsExpireAt(servers: readonly RTCIceServer[]): number | null {
  let earliest: number | null = null;
  for (const { username } of servers) {
    const match = /^(\d{9,}):/.exec(username ?? "");
    if (!match) continue;
    const at = Number(match[1]) * 1000;
    if (earliest === null || at < earliest) earliest = at;
  }
  return earliest;
}

/**
 * How long to wait before fetching fresh credentials (ms): half of what is left of the earliest one,
 * so a client clock off from the server's by less than that still refreshes in time; null when
 * nothing expires, or when the credentials look expired already (a clock far off: then only a failed
 * path's ICE restart fetches new ones, as without this).
 */
export function refreshDelay(servers: readonly RTCIceServer[], now: number): number | null {
  const expiresAt = credentialsExpireAt(servers);
  if (expiresAt === null || expiresAt <= now) return null;
  return Math.max(MIN_REFRESH_MS, Math.floor((expiresAt - now) / 2));
}

interface StatsEntry {
  id: string;
  type: string;
  selectedCandidatePairId?: string;
  selected?: boolean;
  localCandidateId?: string;
  candidateType?: string;
}

/**
 * Whether this side's end of the path in use is a TURN relay: the selected candidate pair's local
 * candidate (Chromium names the pair on the transport; Firefox marks it `selected`). With the relay
 * policy every path is relayed.
 */
export async function relaying(pc: RTCPeerConnection): Promise<boolean> {
  if (pc.getConfiguration().iceTransportPolicy === "relay") return true;
  const entries = new Map<string, StatsEntry>();
  (await pc.getStats()).forEach((entry: StatsEntry) => entries.set(entry.id, entry));
  let pair: StatsEntry | undefined;
  for (const entry of entries.values()) {
    if (entry.type === "transport" && entry.selectedCandidatePairId)
      pair = entries.get(entry.selectedCandidatePairId);
  }
  for (const entry of entries.values()) {
    if (!pair && entry.type === "candidate-pair" && entry.selected) pair = entry;
  }
  const local = pair?.localCandidateId ? entries.get(pair.localCandidateId) : undefined;
  return local?.candidateType === "relay";
}
