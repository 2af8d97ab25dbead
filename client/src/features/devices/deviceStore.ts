// The cameras, microphones and speakers the browser offers, and the ones the user picked (kept in
// localStorage, so every tab and visit starts a call with them). Lists follow devicechange.
import { defineStore } from "pinia";
import { computed, onScopeDispose, ref } from "vue";
import { canChooseSpeaker, type DeviceLists, listDevices, watchDevices } from "../../webrtc/devices";
import type { DeviceSource } from "../../webrtc/peer";
import { useSetting } from "../../composables/useSetting";
import { unlabelledDevice } from "./deviceText";

const DEVICES_KEY = "videochat.devices";

export type DeviceKind = DeviceSource | "speaker";
export type DeviceChoices = Record<DeviceKind, string | null>;

const NO_CHOICES: DeviceChoices = { camera: null, microphone: null, speaker: null };

/** Saved choices, each a non-empty device id or null (the browser's default). */
function readChoices(raw: string): DeviceChoices {
  const saved = JSON.parse(raw) as Partial<DeviceChoices>;
  const id = (value: unknown) => (typeof value === "string" && value ? value : null);
  return { camera: id(saved.camera), microphone: id(saved.microphone), speaker: id(saved.speaker) };
}

export const useDeviceStore = defineStore("devices", () => {
  const lists = ref<DeviceLists>({ cameras: [], microphones: [], speakers: [] });
  // Storage refused or spoilt: the browser's defaults.
  const chosen = useSetting<DeviceChoices>(
    DEVICES_KEY,
    { ...NO_CHOICES },
    { read: readChoices, write: JSON.stringify },
  );
  const speakerChoice = canChooseSpeaker();
  /** Whether the "Call settings" panel is open. */
  const settingsOpen = ref(false);
  const unwatch = watchDevices(() => void refresh());

  async function refresh(): Promise<void> {
    lists.value = await listDevices(unlabelledDevice);
  }

  /** What openLocalMedia takes: the picked devices, or the defaults. */
  const choice = computed(() => ({ camera: chosen.value.camera, microphone: chosen.value.microphone }));

  /**
   * The id a select shows: the picked device while it is plugged in, else the first of the list (what
   * the browser uses by default), so the select never points at a device that is gone.
   */
  function selected(kind: DeviceKind): string {
    const list =
      kind === "camera"
        ? lists.value.cameras
        : kind === "microphone"
          ? lists.value.microphones
          : lists.value.speakers;
    const id = chosen.value[kind];
    return list.some((device) => device.id === id) ? (id ?? "") : (list[0]?.id ?? "");
  }

  function choose(kind: DeviceKind, id: string): void {
    chosen.value = { ...chosen.value, [kind]: id || null };
  }

  function openSettings(): void {
    settingsOpen.value = true;
    void refresh();
  }

  function closeSettings(): void {
    settingsOpen.value = false;
  }

  onScopeDispose(unwatch);

  return {
    lists,
    chosen,
    choice,
    speakerChoice,
    settingsOpen,
    refresh,
    selected,
    choose,
    openSettings,
    closeSettings,
  };
});
