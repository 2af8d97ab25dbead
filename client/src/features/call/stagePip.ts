// Picture-in-picture of the stage (More → "Picture in picture"): a share or a pinned tile, else whoever
// spoke last; the open window follows as the stage changes (another speaker, a share, a pin).
import { computed, onBeforeUnmount, ref, shallowRef, watch, type Ref } from "vue";
import { useCallMediaStore } from "./callMediaStore";
import { useCallViewStore } from "./callViewStore";
import type { StageArrangement } from "./layout";
import { openPictureInPicture, type PictureInPicture } from "./pip";
import type { Tile } from "./stage";
import { toast } from "../../ui/toast";
import { t } from "../../i18n";

/**
 * For the stage laid out as `layout` inside `area`: returns the action that opens picture-in-picture
 * (a toast says so when the browser cannot); the window closes with the stage.
 */
export function useStagePictureInPicture(layout: Ref<StageArrangement>, area: Ref<HTMLElement | null>) {
  const media = useCallMediaStore();
  const view = useCallViewStore();
  /** Who spoke last (the highlight goes when nobody speaks; picture-in-picture stays on them). */
  const lastSpeaker = ref<string | null>(null);
  watch(
    () => media.speakerId,
    (id) => {
      if (id) lastSpeaker.value = id;
    },
    { immediate: true },
  );
  /**
   * What picture-in-picture shows: a share or a pinned tile, else whoever spoke last, else the tile in
   * focus or the first other person (oneself when alone).
   */
  const pipTarget = computed<Tile | null>(() => {
    const { main, grid, strip, floating } = layout.value;
    if (main && (main.source === "screen" || main.key === view.pinned)) return main;
    const people = [main, ...grid, ...strip].filter((tile): tile is Tile => tile !== null && !tile.self);
    const speaker = people.find(
      (tile) => tile.source === "camera" && tile.participantId === lastSpeaker.value,
    );
    return speaker ?? main ?? people[0] ?? floating;
  });
  const videoOf = (tile: Tile | null) =>
    tile && area.value?.querySelector<HTMLVideoElement>(`[data-tile-key="${tile.key}"] video`);

  const pip = shallowRef<PictureInPicture | null>(null);
  async function pictureInPicture(): Promise<void> {
    const target = pipTarget.value;
    const video = videoOf(target);
    const opened = target && video ? await openPictureInPicture(video, target.label) : null;
    if (!opened) {
      toast(t("call.pipUnavailable"));
      return;
    }
    pip.value = opened;
    opened.onClose(() => {
      if (pip.value === opened) pip.value = null;
    });
  }
  // The window follows the stage: another speaker, a share, a pin, a new stream for the same tile.
  watch(
    () => pipTarget.value && `${pipTarget.value.key}:${pipTarget.value.version}`,
    () => {
      const target = pipTarget.value;
      const video = videoOf(target);
      if (pip.value && target && video) void pip.value.show(video, target.label);
    },
    { flush: "post" },
  );
  onBeforeUnmount(() => pip.value?.close());

  return pictureInPicture;
}
