// The network quality of the call this tab is in, read from the links' statistics every few seconds
// while a call's media runs: the figures of what arrives from each remote participant (their tile's
// bars) and of this side's uplink ("Poor connection" on the self-view). Grading is webrtc/networkQuality's.
import { defineStore } from "pinia";
import { onScopeDispose, ref, shallowRef, watch } from "vue";
import {
  figuresBetween,
  inboundSample,
  type LinkFigures,
  type LinkSample,
  outboundSample,
} from "../../webrtc/networkQuality";
import { useCallMediaStore } from "./callMediaStore";

/** How often the links are read: often enough to follow a change, rarely enough to cost nothing. */
export const QUALITY_POLL_MS = 2000;

export const useNetworkQualityStore = defineStore("networkQuality", () => {
  const media = useCallMediaStore();
  /** Per remote participant (user id): the figures of what arrives from them. */
  const remote = shallowRef<Record<string, LinkFigures>>({});
  /** Per outbound connection: the figures of what this side sends. */
  const uplink = shallowRef<LinkFigures[]>([]);
  const polling = ref(false);
  let timer: ReturnType<typeof setInterval> | undefined;
  let inboundBefore = new Map<string, LinkSample>();
  let outboundBefore: LinkSample[] = [];

  async function poll(): Promise<void> {
    const stats = await media.linkStats().catch(() => null);
    if (!stats || !polling.value) return;
    const at = performance.now();
    const figures: Record<string, LinkFigures> = {};
    const samples = new Map<string, LinkSample>();
    for (const [id, entries] of stats.inbound) {
      const sample = inboundSample(entries, at);
      samples.set(id, sample);
      figures[id] = figuresBetween(inboundBefore.get(id) ?? null, sample);
    }
    const outSamples = stats.outbound.map((entries) => outboundSample(entries, at));
    uplink.value = outSamples.map((sample, i) => figuresBetween(outboundBefore[i] ?? null, sample));
    inboundBefore = samples;
    outboundBefore = outSamples;
    remote.value = figures;
  }

  function start(): void {
    stop();
    polling.value = true;
    void poll();
    timer = setInterval(() => void poll(), QUALITY_POLL_MS);
  }

  function stop(): void {
    clearInterval(timer);
    timer = undefined;
    polling.value = false;
    inboundBefore = new Map();
    outboundBefore = [];
    remote.value = {};
    uplink.value = [];
  }

  watch(
    () => media.callId,
    (callId) => (callId ? start() : stop()),
    { immediate: true },
  );
  onScopeDispose(stop);

  return { remote, uplink, poll };
});
