// How good a call's links are, from WebRTC statistics (W3C webrtc-stats): the round-trip time, the share
// of packets lost and the video frames per second between two readings, graded into 1 to 3 bars as
// Meet, Jitsi and Discord show them. Plain functions over plain objects: no Vue, no timers, no DOM.

/** One entry of an RTCStatsReport, with the fields read here (getStats() gives many more). */
export interface StatEntry {
  type: string;
  id?: string;
  kind?: string;
  /** inbound-rtp / outbound-rtp of an SFU subscription: the m-line it belongs to. */
  mid?: string;
  packetsReceived?: number;
  packetsSent?: number;
  packetsLost?: number;
  framesDecoded?: number;
  framesEncoded?: number;
  /** candidate-pair: seconds. */
  currentRoundTripTime?: number;
  /** remote-inbound-rtp: seconds. */
  roundTripTime?: number;
  state?: string;
  nominated?: boolean;
  selectedCandidatePairId?: string;
}

/** What one connection (or one person's share of it) reports, as entries. */
export type StatEntries = readonly StatEntry[];

/**
 * The statistics of a call's links at one moment: per remote participant (by user id), what arrives
 * from them; and per connection that carries this side's media out, what it reports.
 */
export interface LinkStats {
  inbound: Map<string, StatEntries>;
  outbound: StatEntries[];
}

/** Counters of one direction of one link at one moment (they only grow), and the round trip then. */
export interface LinkSample {
  /** When it was read, ms (any clock, the same for every sample of a link). */
  at: number;
  /** Packets received (inbound) or sent (outbound). */
  packets: number;
  /** Packets lost on the way: counted by the receiver (outbound: as the far end reported it). */
  lost: number;
  /** Video frames decoded (inbound) or encoded (outbound); null without a video stream. */
  frames: number | null;
  /** Round-trip time in ms, or null when the browser has not measured one yet. */
  rttMs: number | null;
}

/** What a link's tooltip shows: each figure null until it can be told. */
export interface LinkFigures {
  rttMs: number | null;
  /** Percent of packets lost between the two samples, 0-100. */
  lossPercent: number | null;
  framesPerSecond: number | null;
}

/** 3 bars: good; 2: fair; 1: poor. */
export type Bars = 1 | 2 | 3;

/** Where each figure stops being good (3 bars) and fair (2 bars); beyond the second it is poor. */
export const THRESHOLDS = {
  rttMs: [200, 500],
  lossPercent: [2, 8],
  /** Lower is worse: at least 15 frames per second is good, at least 8 fair. */
  framesPerSecond: [15, 8],
} as const;

const sum = (entries: StatEntries, pick: (entry: StatEntry) => number | undefined) =>
  entries.reduce((total, entry) => total + (pick(entry) ?? 0), 0);

/** The round trip of the selected candidate pair (the transport's, else the nominated succeeded one), ms. */
export function pairRoundTripMs(entries: StatEntries): number | null {
  const selected = entries.find(
    (e) => e.type === "transport" && e.selectedCandidatePairId,
  )?.selectedCandidatePairId;
  const pair =
    (selected ? entries.find((e) => e.type === "candidate-pair" && e.id === selected) : undefined) ??
    entries.find((e) => e.type === "candidate-pair" && e.nominated && e.state === "succeeded");
  const seconds = pair?.currentRoundTripTime;
  return typeof seconds === "number" ? seconds * 1000 : null;
}

/** What arrives from one remote participant at `at`: their inbound-rtp streams and the pair's round trip. */
export function inboundSample(entries: StatEntries, at: number): LinkSample {
  const streams = entries.filter((e) => e.type === "inbound-rtp");
  const video = streams.filter((e) => e.kind === "video");
  return {
    at,
    packets: sum(streams, (e) => e.packetsReceived),
    lost: Math.max(
      0,
      sum(streams, (e) => e.packetsLost),
    ),
    frames: video.length > 0 ? sum(video, (e) => e.framesDecoded) : null,
    rttMs: pairRoundTripMs(entries),
  };
}

/**
 * What one connection carries out at `at`: packets sent (outbound-rtp), the far end's count of those lost
 * and its round trip (remote-inbound-rtp, RTCP receiver reports), else the candidate pair's round trip.
 */
export function outboundSample(entries: StatEntries, at: number): LinkSample {
  const streams = entries.filter((e) => e.type === "outbound-rtp");
  const reports = entries.filter((e) => e.type === "remote-inbound-rtp");
  const video = streams.filter((e) => e.kind === "video");
  const rtts = reports.map((e) => e.roundTripTime).filter((s): s is number => typeof s === "number");
  return {
    at,
    packets: sum(streams, (e) => e.packetsSent),
    lost: Math.max(
      0,
      sum(reports, (e) => e.packetsLost),
    ),
    frames: video.length > 0 ? sum(video, (e) => e.framesEncoded) : null,
    rttMs: rtts.length > 0 ? Math.max(...rtts) * 1000 : pairRoundTripMs(entries),
  };
}

/**
 * The figures between two samples of one link. Loss and frame rate need a previous sample a positive
 * time before, with counters that did not go back (a new connection starts them again): else null.
 */
export function figuresBetween(previous: LinkSample | null, next: LinkSample): LinkFigures {
  const figures: LinkFigures = { rttMs: next.rttMs, lossPercent: null, framesPerSecond: null };
  const seconds = previous ? (next.at - previous.at) / 1000 : 0;
  if (!previous || seconds <= 0 || next.packets < previous.packets || next.lost < previous.lost)
    return figures;
  const lost = next.lost - previous.lost;
  const arrived = next.packets - previous.packets;
  if (lost + arrived > 0) figures.lossPercent = (100 * lost) / (lost + arrived);
  if (next.frames !== null && previous.frames !== null && next.frames >= previous.frames)
    figures.framesPerSecond = (next.frames - previous.frames) / seconds;
  return figures;
}

function gradeOf(
  value: number | null,
  [good, fair]: readonly [number, number],
  higherIsBetter = false,
): Bars {
  if (value === null) return 3;
  if (higherIsBetter) return value >= good ? 3 : value >= fair ? 2 : 1;
  return value <= good ? 3 : value <= fair ? 2 : 1;
}

/**
 * The bars of a link: the worst of its figures. The frame rate counts only where video is expected
 * (`video`: the camera is on), since a camera turned off sends none. Null while nothing is known yet.
 */
export function barsFor(figures: LinkFigures, video: boolean): Bars | null {
  const fps = video ? figures.framesPerSecond : null;
  if (figures.rttMs === null && figures.lossPercent === null && fps === null) return null;
  return Math.min(
    gradeOf(figures.rttMs, THRESHOLDS.rttMs),
    gradeOf(figures.lossPercent, THRESHOLDS.lossPercent),
    gradeOf(fps, THRESHOLDS.framesPerSecond, true),
  ) as Bars;
}

/**
 * This side's uplink from its outbound connections' figures: the best of them, since a poor link to one
 * person is as likely theirs as ours, while a poor uplink spoils every link. Null when none is known.
 */
export function uplinkBars(links: readonly LinkFigures[], video: boolean): Bars | null {
  const bars = links.map((figures) => barsFor(figures, video)).filter((b): b is Bars => b !== null);
  return bars.length > 0 ? (Math.max(...bars) as Bars) : null;
}
