// The "Sounds" setting (remembered in localStorage, so it holds for every tab and visit) and when the
// app makes a sound: a ring while a call or a group call invitation comes in, a chime for a private
// message while the tab is hidden.
import { defineStore } from "pinia";
import { onScopeDispose, ref, watch } from "vue";
import type { PrivateMessage } from "@videochat/protocol";
import { listen } from "../listen";
import { playChime, startRing, unlockAudio } from "../sound";
import { useCallStore } from "./call";
import { useGroupCallStore } from "./groupCall";
import { useSessionStore } from "./session";

const SOUNDS_KEY = "videochat.sounds";

function loadEnabled(): boolean {
  try {
    return window.localStorage.getItem(SOUNDS_KEY) !== "off";
  } catch {
    return true; // storage refused (private mode): sounds on, as by default
  }
}

function saveEnabled(enabled: boolean): void {
  try {
    window.localStorage.setItem(SOUNDS_KEY, enabled ? "on" : "off");
  } catch {
    // the setting then lasts for this page load
  }
}

const GESTURES = ["pointerdown", "keydown"] as const;

export const useSoundStore = defineStore("sounds", () => {
  const enabled = ref(loadEnabled());
  const call = useCallStore();
  const group = useGroupCallStore();
  const session = useSessionStore();
  let stopRing: (() => void) | null = null;

  function setEnabled(value: boolean): void {
    enabled.value = value;
    saveEnabled(value);
  }

  watch(
    () => enabled.value && (call.status === "ringing-in" || group.invitation !== null),
    (ringing) => {
      stopRing?.();
      stopRing = ringing ? startRing() : null;
    },
    { immediate: true },
  );

  function onPrivateMessage(message: PrivateMessage): void {
    if (enabled.value && document.hidden && message.from.id !== session.user?.id) playChime();
  }

  // The first gesture anywhere lets the page play sound later, when a call rings in.
  for (const gesture of GESTURES) window.addEventListener(gesture, unlockAudio, { passive: true });
  onScopeDispose(() => {
    stopRing?.();
    for (const gesture of GESTURES) window.removeEventListener(gesture, unlockAudio);
  });
  listen({ "private:message": onPrivateMessage });

  return { enabled, setEnabled };
});
