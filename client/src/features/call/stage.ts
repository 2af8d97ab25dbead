// What the call stage shows, as plain data for rendering: one tile per participant (self included)
// and one per screen share, who is speaking, and the streams the <video> elements get. Streams are
// looked up by tile key (markRaw, cached by their tracks), never kept in reactive state.
import { computed, markRaw, type Ref, ref, shallowRef } from "vue";
import { loudest, type LevelMeter, meterFor } from "../../webrtc/audioLevel";
import type { CallPeers } from "../../webrtc/callPeers";
import type { RemoteParticipant } from "../../webrtc/mesh";
import type { PeerState } from "../../webrtc/peer";
import { t } from "../../i18n";

export interface Tile {
  key: string;
  participantId: string;
  /** The tile's accessible name: "Ben", "Ben's screen", or "Alice (you)". */
  label: string;
  /** Whose tile it is, for the initials. */
  name: string;
  source: "camera" | "screen";
  self: boolean;
  /** Video is shown; otherwise the initials are. */
  video: boolean;
  /** The microphone is off: the muted badge (camera tiles only). */
  muted: boolean;
  /**
   * How the connection to a remote person stands; null for self and screens, and while `reconnecting`
   * says more.
   */
  state: PeerState | null;
  /**
   * The person's page went away (a reload, a lost connection) and the call keeps their place for the
   * grace: the tile reads "<name> is reconnecting…" (`reconnectingText`).
   */
  reconnecting: boolean;
  speaking: boolean;
  /** Changes when the tile's tracks do, so its <video> is given the new stream. */
  version: number;
}

/** What the stage needs to know of this tab's own media. */
export interface SelfView {
  id: string;
  name: string;
  micOn: Ref<boolean>;
  cameraOn: Ref<boolean>;
  /** The camera (and microphone) as the self-view shows them. */
  stream: Ref<MediaStream | null>;
  /** The screen this tab shares (its own preview tile), or null. */
  screen: Ref<MediaStream | null>;
}

interface RemoteView {
  id: string;
  name: string;
  state: PeerState;
  micOn: boolean;
  cameraOn: boolean;
  screen: boolean;
  versions: { camera: number; screen: number };
}

const SPEAKER_POLL_MS = 250;
/** The level a remote person has while the SFU says they talk (above SPEAKING_LEVEL, like a voice). */
const TALKING_LEVEL = 0.1;

/** How the stage learns who speaks. */
export interface StageOptions {
  /**
   * The call says who talks (the SFU's `sfu:talking`, from Janus's audio-level events): remote people
   * are not measured here; only this tab's own microphone is.
   */
  talkingEvents?: boolean;
}

export function createStage() {
  const self = shallowRef<SelfView | null>(null);
  const remote = shallowRef<RemoteView[]>([]);
  const speakerId = ref<string | null>(null);
  /** Remote participants whose page is away (call:participant), by id. */
  const away = ref<ReadonlySet<string>>(new Set());
  /** Per tile key: the tracks its stream holds, and the stream. */
  const streams = new Map<string, { tracks: MediaStreamTrack[]; stream: MediaStream; version: number }>();
  const meters = new Map<string, { track: MediaStreamTrack; meter: LevelMeter }>();
  let mesh: CallPeers | null = null;
  let poll: ReturnType<typeof setInterval> | undefined;
  let talkingEvents = false;
  /** Remote people the call says are talking now (talkingEvents only). */
  const talking = new Set<string>();

  /** Caches a stream per tile: the same tracks keep the same stream (no flicker), new ones bump the version. */
  function keep(key: string, tracks: (MediaStreamTrack | undefined)[]): number {
    const present = tracks.filter((t): t is MediaStreamTrack => Boolean(t));
    const cached = streams.get(key);
    if (
      cached &&
      cached.tracks.length === present.length &&
      cached.tracks.every((t, i) => t === present[i])
    ) {
      return cached.version;
    }
    const version = (cached?.version ?? 0) + 1;
    streams.set(key, { tracks: present, stream: markRaw(new MediaStream(present)), version });
    return version;
  }

  function measure(id: string, track: MediaStreamTrack | undefined | null): void {
    const known = meters.get(id);
    if (known?.track === track) return;
    known?.meter.stop();
    if (track) meters.set(id, { track, meter: meterFor(track) });
    else meters.delete(id);
  }

  function view(p: RemoteParticipant): RemoteView {
    const { camera, microphone, screen } = p.tracks;
    measure(p.id, talkingEvents ? null : microphone);
    return {
      id: p.id,
      name: p.name,
      state: p.state,
      micOn: p.media?.audio ?? true,
      cameraOn: Boolean(camera) && (p.media?.video ?? true),
      screen: Boolean(screen),
      versions: {
        camera: keep(`${p.id}:camera`, [camera, microphone]),
        screen: keep(`${p.id}:screen`, [screen]),
      },
    };
  }

  /** Reads the mesh again after any of its events. */
  function refresh(): void {
    remote.value = (mesh?.participants ?? []).map(view);
  }

  const tiles = computed<Tile[]>(() => {
    const me = self.value;
    const people: Tile[] = remote.value.map((p) => ({
      key: `${p.id}:camera`,
      participantId: p.id,
      label: p.name,
      name: p.name,
      source: "camera",
      self: false,
      video: p.cameraOn,
      muted: !p.micOn,
      state: p.state === "connected" || away.value.has(p.id) ? null : p.state,
      reconnecting: away.value.has(p.id),
      speaking: speakerId.value === p.id,
      version: p.versions.camera,
    }));
    const screens: Tile[] = remote.value
      .filter((p) => p.screen)
      .map((p) => ({
        key: `${p.id}:screen`,
        participantId: p.id,
        label: t("call.tileScreen", { name: p.name }),
        name: p.name,
        source: "screen",
        self: false,
        video: true,
        muted: false,
        state: null,
        reconnecting: false,
        speaking: false,
        version: p.versions.screen,
      }));
    if (!me) return [...screens, ...people];
    const mine: Tile = {
      key: `${me.id}:camera`,
      participantId: me.id,
      label: t("call.tileSelf", { name: me.name }),
      name: me.name,
      source: "camera",
      self: true,
      video: me.cameraOn.value && Boolean(me.stream.value),
      muted: !me.micOn.value,
      state: null,
      reconnecting: false,
      speaking: speakerId.value === me.id,
      version: 0, // streamFor reads the self-view's ref itself
    };
    if (!me.screen.value) return [...screens, ...people, mine];
    // The sharer's preview of what the others see: a tile of its own, never put in focus by itself.
    const myScreen: Tile = {
      ...mine,
      key: `${me.id}:screen`,
      label: t("call.tileOwnScreen"),
      source: "screen",
      self: false,
      video: true,
      muted: false,
      speaking: false,
    };
    return [...screens, ...people, myScreen, mine];
  });

  function pollSpeaker(): void {
    const levels = new Map<string, number>();
    for (const [id, { meter }] of meters) {
      const muted = id === self.value?.id ? !self.value.micOn.value : false;
      levels.set(id, muted ? 0 : meter.level());
    }
    if (talkingEvents) {
      for (const p of remote.value) levels.set(p.id, talking.has(p.id) && p.micOn ? TALKING_LEVEL : 0);
    }
    speakerId.value = loudest(levels, speakerId.value);
  }

  /** The call says `participantId` started (true) or stopped (false) talking (talkingEvents). */
  function setTalking(participantId: string, isTalking: boolean): void {
    if (!talkingEvents) return;
    if (isTalking) talking.add(participantId);
    else talking.delete(participantId);
    pollSpeaker();
  }

  function start(view: SelfView, call: CallPeers, options: StageOptions = {}): void {
    self.value = view;
    mesh = call;
    talkingEvents = options.talkingEvents ?? false;
    for (const event of [
      "participantJoined",
      "participantLeft",
      "trackSubscribed",
      "trackUnsubscribed",
    ] as const) {
      call.on(event, refresh);
    }
    call.on("trackMuted", refresh);
    call.on("stateChanged", refresh);
    refresh();
    poll = setInterval(pollSpeaker, SPEAKER_POLL_MS);
  }

  /** The self-view's microphone changed (a device switch): measure the new one. */
  function measureSelf(track: MediaStreamTrack | null): void {
    if (self.value) measure(self.value.id, track);
  }

  /** Marks a remote participant's page away (true) or back (false). */
  function setAway(participantId: string, isAway: boolean): void {
    if (isAway) talking.delete(participantId); // its feed left without a word of stopping
    if (away.value.has(participantId) === isAway) return;
    const next = new Set(away.value);
    if (isAway) next.add(participantId);
    else next.delete(participantId);
    away.value = next;
  }

  function stop(): void {
    clearInterval(poll);
    away.value = new Set();
    for (const { meter } of meters.values()) meter.stop();
    meters.clear();
    streams.clear();
    mesh = null;
    self.value = null;
    remote.value = [];
    speakerId.value = null;
    talkingEvents = false;
    talking.clear();
  }

  /** The stream a tile's <video> plays (camera with microphone, or a screen), or null. */
  function streamFor(key: string): MediaStream | null {
    const me = self.value;
    if (me && key === `${me.id}:camera`) return me.stream.value;
    if (me && key === `${me.id}:screen`) return me.screen.value;
    return streams.get(key)?.stream ?? null;
  }

  return { tiles, speakerId, start, stop, refresh, streamFor, measureSelf, setAway, setTalking };
}

export type Stage = ReturnType<typeof createStage>;

/** What a reconnecting tile reads: "Ben is reconnecting…". */
export const reconnectingText = (tile: Pick<Tile, "name">): string =>
  t("call.reconnectingName", { name: tile.name });
