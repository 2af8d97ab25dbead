// This tab's own presence: the status the user picks, and auto-away when idle or hidden.
import { defineStore } from "pinia";
import { ref } from "vue";
import type { PresenceStatus, SessionReady } from "../../../server/src/protocol";
import { request } from "../socket";
import { loadManualStatus, saveManualStatus } from "../tabStorage";
import { listen } from "../listen";

/** Pointer moves come in bursts; restarting the idle timer once a second is plenty. */
const ACTIVITY_THROTTLE_MS = 1000;
/**
 * A reload or a glance at another tab also hides the page; waiting a moment keeps those from
 * telling the whole room "absent" and then "online" again.
 */
const HIDDEN_GRACE_MS = 2000;
const ACTIVITY_EVENTS = ["pointerdown", "pointermove", "keydown", "touchstart", "wheel"] as const;

export const usePresenceStore = defineStore("presence", () => {
  const status = ref<PresenceStatus>("online");
  /**
   * True while the status is one the user picked by hand (Absent or Unavailable). Auto-away then does
   * nothing until they pick Online again: a machine never overrides a person.
   */
  const manual = ref(loadManualStatus());
  const error = ref<string | null>(null);
  let idleTimeoutMs = 0;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let lastActivity = 0;
  let watching = false;

  async function change(next: PresenceStatus): Promise<void> {
    if (next === status.value) return;
    const previous = status.value;
    status.value = next; // optimistic, so the selector follows the user's hand at once
    const ack = await request("presence:set", { status: next });
    if (ack.ok) {
      error.value = null;
    } else {
      if (status.value === next) status.value = previous;
      error.value = ack.error.message;
    }
  }

  /** The user picked a status from the Status control. */
  function choose(next: PresenceStatus): Promise<void> {
    manual.value = next !== "online";
    saveManualStatus(manual.value);
    if (!manual.value) restartIdleTimer();
    return change(next);
  }

  function auto(next: PresenceStatus): void {
    if (manual.value) return;
    void change(next);
  }

  function restartIdleTimer(): void {
    clearTimeout(idleTimer);
    if (watching && idleTimeoutMs > 0) idleTimer = setTimeout(() => auto("absent"), idleTimeoutMs);
  }

  function onActivity(): void {
    if (document.hidden) return;
    const now = Date.now();
    if (now - lastActivity < ACTIVITY_THROTTLE_MS && status.value === "online") return;
    lastActivity = now;
    restartIdleTimer();
    if (status.value === "absent") auto("online");
  }

  function onVisibilityChange(): void {
    if (document.hidden) {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => auto("absent"), HIDDEN_GRACE_MS);
    } else {
      lastActivity = 0;
      onActivity();
    }
  }

  function startWatching(): void {
    if (watching) return;
    watching = true;
    for (const event of ACTIVITY_EVENTS) window.addEventListener(event, onActivity, { passive: true });
    document.addEventListener("visibilitychange", onVisibilityChange);
  }

  function stopWatching(): void {
    watching = false;
    clearTimeout(idleTimer);
    for (const event of ACTIVITY_EVENTS) window.removeEventListener(event, onActivity);
    document.removeEventListener("visibilitychange", onVisibilityChange);
  }

  function onSessionReady(ready: SessionReady): void {
    status.value = ready.status;
    idleTimeoutMs = ready.settings.idleTimeoutMs;
    // Auto-away only ever sets Absent: Unavailable is always a person's choice, Online never is a lock.
    if (ready.status === "unavailable") manual.value = true;
    if (ready.status === "online") manual.value = false;
    saveManualStatus(manual.value);
    startWatching();
    onVisibilityChange();
  }

  function reset(): void {
    stopWatching();
    status.value = "online";
    manual.value = false;
    error.value = null;
    lastActivity = 0;
  }

  listen(
    {
      "session:ready": onSessionReady,
    },
    () => {
      stopWatching();
    },
  );

  return { status, manual, error, choose, reset };
});
