// The cameras, microphones and speakers the browser offers, and the ones the user picked (kept in
// localStorage, so every tab and visit starts a call with them). Lists follow devicechange.
import { defineStore } from "pinia";
import { computed, onScopeDispose, ref } from "vue";
import {
  canChooseSpeaker,
  type DeviceLists,
  listDevices,
  type VoiceProcessing,
  watchDevices,
} from "../../webrtc/devices";
import type { DeviceSource } from "../../webrtc/peer";
import { useSetting } from "../../composables/useSetting";
import { unlabelledDevice } from "./deviceText";

const DEVICES_KEY = "videochat.devices";
const VOICE_KEY = "videochat.voice";

export type DeviceKind = DeviceSource | "speaker";
export type DeviceChoices = Record<DeviceKind, string | null>;

const NO_CHOICES: DeviceChoices = { camera: null, microphone: null, speaker: null };

/** Saved choices, each a non-empty device id or null (the browser's default). */
function readChoices(raw: string): DeviceChoices {
  const saved = JSON.parse(raw) as Partial<DeviceChoices>;
  const id = (value: unknown) => (typeof value === "string" && value ? value : null);
  return { camera: id(saved.camera), microphone: id(saved.microphone), speaker: id(saved.speaker) };
}

/** Browsers process a microphone's voice by default; a person may turn either part off. */
const BROWSER_VOICE: VoiceProcessing = { noiseSuppression: true, echoCancellation: true };

/** Saved voice processing: each part on unless saved as false. */
function readVoice(raw: string): VoiceProcessing {
  const saved = JSON.parse(raw) as Partial<VoiceProcessing>;
  return {
    noiseSuppression: saved.noiseSuppression !== false,
    echoCancellation: saved.echoCancellation !== false,
  };
}

export const useDeviceStore = defineStore("devices", () => {
  const lists = ref<DeviceLists>({ cameras: [], microphones: [], speakers: [] });
  // Storage refused or spoilt: the browser's defaults.
  const chosen = useSetting<DeviceChoices>(
    DEVICES_KEY,
    { ...NO_CHOICES },
    { read: readChoices, write: JSON.stringify },
  );
  /** "Noise suppression" and "Echo cancellation", kept like the devices. */
  const voice = useSetting<VoiceProcessing>(
    VOICE_KEY,
    { ...BROWSER_VOICE },
    { read: readVoice, write: JSON.stringify },
  );
  const speakerChoice = canChooseSpeaker();
  /** Whether the "Call settings" panel is open. */
  const settingsOpen = ref(false);
  const unwatch = watchDevices(() => void refresh());

  async function refresh(): Promise<void> {
    lists.value = await listDevices(unlabelledDevice);
  }

  /** What openLocalMedia takes: the picked devices and voice processing, or the defaults. */
  const choice = computed(() => {
    const { noiseSuppression, echoCancellation } = voice.value;
    // The browser's own processing needs no asking: the constraints stay as plain as they can.
    const asked =
      noiseSuppression && echoCancellation ? {} : { voice: { noiseSuppression, echoCancellation } };
    return { camera: chosen.value.camera, microphone: chosen.value.microphone, ...asked };
  });

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

  function setVoice(part: keyof VoiceProcessing, on: boolean): void {
    voice.value = { ...voice.value, [part]: on };
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
    voice,
    choice,
    speakerChoice,
    settingsOpen,
    refresh,
    selected,
    choose,
    setVoice,
    openSettings,
    closeSettings,
  };
});
