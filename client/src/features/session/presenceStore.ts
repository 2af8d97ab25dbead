// This tab's part in its session's presence: the status the user picks by hand (shared by every tab
// of the session), and whether this tab is idle or hidden. The server derives automatic absence for
// the whole session from every tab's idle state, so an idle duplicate tab cannot mark its twin absent.
import { defineStore } from "pinia";
import { ref } from "vue";
import type { MemberUpdated, PresenceStatus, SessionReady } from "@videochat/protocol";
import { request } from "./socket";
import { listen } from "./listen";
import { useSessionStore } from "./sessionStore";

/** Pointer moves come in bursts; restarting the idle timer once a second is plenty. */
const ACTIVITY_THROTTLE_MS = 1000;
/**
 * A reload or a glance at another tab also hides the page; waiting a moment keeps those from
 * telling the whole room "absent" and then "online" again.
 */
const HIDDEN_GRACE_MS = 2000;
const ACTIVITY_EVENTS = ["pointerdown", "pointermove", "keydown", "touchstart", "wheel"] as const;

export const usePresenceStore = defineStore("presence", () => {
  /** The status the user picked by hand; the room sees "absent" instead while every tab is idle. */
  const status = ref<PresenceStatus>("online");
  /** The status the server has (status is optimistic): "tried to reach you" notices wait for it. */
  const confirmed = ref<PresenceStatus>("online");
  const error = ref<string | null>(null);
  /** What this tab last told the server about itself. */
  const idle = ref(false);
  /** Whether this tab is in the background (the Status control says why the room sees "absent"). */
  const hidden = ref(false);
  let idleTimeoutMs = 0;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let lastActivity = 0;
  let watching = false;
  /** This session's user id, from session:ready. */
  let me: string | undefined;
  /**
   * The calls this tab takes part in ("private", "group"): while any is held the tab is active, whatever
   * the pointer and the keyboard say and even when hidden (someone in a call who just listens, or looks
   * at another tab, is not away; Meet and Discord show nobody away in a call).
   */
  const holds = new Set<string>();

  /** The user picked a status from the Status control. */
  async function choose(next: PresenceStatus): Promise<void> {
    if (next === status.value) return;
    const previous = status.value;
    status.value = next; // optimistic, so the selector follows the user's hand at once
    const ack = await request("presence:set", { status: next });
    if (ack.ok) {
      error.value = null;
      confirmed.value = ack.status;
    } else {
      if (status.value === next) status.value = previous;
      error.value = ack.error.message;
    }
  }

  function setIdle(next: boolean): void {
    if (idle.value === next) return;
    idle.value = next;
    void request("presence:idle", { idle: next });
  }

  function restartIdleTimer(): void {
    clearTimeout(idleTimer);
    if (watching && idleTimeoutMs > 0 && holds.size === 0)
      idleTimer = setTimeout(() => setIdle(true), idleTimeoutMs);
  }

  /** A call of this tab's started (`held`) or ended: see `holds`. Idle counts afresh from its end. */
  function holdActive(call: "private" | "group", held: boolean): void {
    if (held === holds.has(call)) return;
    if (held) holds.add(call);
    else holds.delete(call);
    if (holds.size > 0) {
      clearTimeout(idleTimer);
      if (watching) setIdle(false);
    } else if (watching) {
      if (document.hidden) onVisibilityChange();
      else restartIdleTimer();
    }
  }

  function onActivity(): void {
    if (document.hidden) return;
    const now = Date.now();
    if (now - lastActivity < ACTIVITY_THROTTLE_MS && !idle.value) return;
    lastActivity = now;
    restartIdleTimer();
    setIdle(false);
  }

  function onVisibilityChange(): void {
    hidden.value = document.hidden;
    if (document.hidden) {
      clearTimeout(idleTimer);
      if (holds.size === 0) idleTimer = setTimeout(() => setIdle(true), HIDDEN_GRACE_MS);
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
    me = ready.user.id;
    status.value = confirmed.value = ready.status;
    idleTimeoutMs = ready.settings.idleTimeoutMs;
    idle.value = false; // a new connection starts active on the server
    startWatching();
    onVisibilityChange();
  }

  /** Another tab of this session picked a status. */
  function onChosen({ status: chosen }: { status: PresenceStatus }): void {
    status.value = confirmed.value = chosen;
  }

  /** A tab of this session (this one or another) picked a status: the room's update carries it. */
  function onMemberUpdated(update: MemberUpdated): void {
    if (update.chosen && update.member.id === me) onChosen({ status: update.chosen });
  }

  function reset(): void {
    stopWatching();
    status.value = confirmed.value = "online";
    idle.value = false;
    hidden.value = false;
    error.value = null;
    lastActivity = 0;
  }

  listen(
    {
      "session:ready": onSessionReady,
      "presence:chosen": onChosen,
      "room:member-updated": onMemberUpdated,
    },
    () => {
      stopWatching();
    },
  );

  useSessionStore().onSessionEvent("reset", reset);

  return { status, confirmed, idle, hidden, error, choose, reset, holdActive };
});
