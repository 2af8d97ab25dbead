// The cameras, microphones and speakers the browser offers, and the ones the user picked (kept in
// localStorage, so every tab and visit starts a call with them). Lists follow devicechange.
import { defineStore } from "pinia";
import { computed, onScopeDispose, ref } from "vue";
import { canChooseSpeaker, type DeviceLists, listDevices, watchDevices } from "../../webrtc/devices";
import type { DeviceSource } from "../../webrtc/peer";

const DEVICES_KEY = "videochat.devices";

export type DeviceKind = DeviceSource | "speaker";
export type DeviceChoices = Record<DeviceKind, string | null>;

function loadChoices(): DeviceChoices {
  const none: DeviceChoices = { camera: null, microphone: null, speaker: null };
  try {
    const saved = JSON.parse(window.localStorage.getItem(DEVICES_KEY) ?? "{}") as Partial<DeviceChoices>;
    const id = (value: unknown) => (typeof value === "string" && value ? value : null);
    return { camera: id(saved.camera), microphone: id(saved.microphone), speaker: id(saved.speaker) };
  } catch {
    return none; // storage refused (private mode) or spoilt: the browser's defaults
  }
}

function saveChoices(choices: DeviceChoices): void {
  try {
    window.localStorage.setItem(DEVICES_KEY, JSON.stringify(choices));
  } catch {
    // the choice then lasts for this page load
  }
}

export const useDeviceStore = defineStore("devices", () => {
  const lists = ref<DeviceLists>({ cameras: [], microphones: [], speakers: [] });
  const chosen = ref<DeviceChoices>(loadChoices());
  const speakerChoice = canChooseSpeaker();
  /** Whether the "Call settings" panel is open. */
  const settingsOpen = ref(false);
  const unwatch = watchDevices(() => void refresh());

  async function refresh(): Promise<void> {
    lists.value = await listDevices();
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
    saveChoices(chosen.value);
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
