// The "Sounds" setting (remembered in localStorage, so it holds for every tab and visit) and when the
// app makes a sound: a ring while a call or a group call invitation comes in, a chime for a private
// message while the tab is hidden.
import { defineStore } from "pinia";
import { onScopeDispose, watch } from "vue";
import type { PrivateMessage } from "@videochat/protocol";
import { listen } from "../session/listen";
import { unlockAudio } from "../../webrtc/audioContext";
import { playChime, startRing } from "./tones";
import { useSetting } from "../../composables/useSetting";
import { useCallStore } from "../call/callStore";
import { useGroupCallStore } from "../group-call/groupCallStore";
import { useSessionStore } from "../session/sessionStore";

const SOUNDS_KEY = "videochat.sounds";

const GESTURES = ["pointerdown", "keydown"] as const;

export const useSoundStore = defineStore("sounds", () => {
  // Missing or anything but "off": sounds on, as by default.
  const enabled = useSetting(SOUNDS_KEY, true, {
    read: (saved) => saved !== "off",
    write: (on) => (on ? "on" : "off"),
  });
  const call = useCallStore();
  const group = useGroupCallStore();
  const session = useSessionStore();
  let stopRing: (() => void) | null = null;

  function setEnabled(value: boolean): void {
    enabled.value = value;
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
