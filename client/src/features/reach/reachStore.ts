// Reaching this user: the rooms' unread counts (read positions shared by the user's tabs through the
// Store, the rooms' newest ids from rooms:latest) and the "<name> tried to reach you" notices kept while
// they were "Unavailable" or busy. One reach:sync at every connection fills both.
import { defineStore } from "pinia";
import { computed, ref, shallowRef, watch } from "vue";
import { useDocumentVisibility } from "@vueuse/core";
import type { ReachAttempt, RoomLatest, UserRef } from "@videochat/protocol";
import { request } from "../session/socket";
import { listen } from "../session/listen";
import { useSessionStore } from "../session/sessionStore";
import { usePresenceStore } from "../session/presenceStore";
import { useChatStore } from "../chat/chatStore";
import { showCountInTitle } from "../../ui/attention";
import { raised, unreadIn, type RoomIds } from "./unread";

/** At most one room:read per this many ms (the last position always goes). */
const READ_THROTTLE_MS = 1000;

export const useReachStore = defineStore("reach", () => {
  const session = useSessionStore();
  const presence = usePresenceStore();
  const chat = useChatStore();
  const visibility = useDocumentVisibility();
  const lastRead = shallowRef<RoomIds>({});
  const latest = shallowRef<RoomIds>({});
  const attempts = ref<ReachAttempt[]>([]);
  let readTimer: ReturnType<typeof setTimeout> | undefined;
  let toSend: { room: string; id: number } | null = null;

  /** Messages of `room` the user has not seen. */
  const unread = (room: string) => unreadIn(room, lastRead.value, latest.value);
  /** Every room's unread messages: the title shows it while the tab is hidden. */
  const total = computed(() => Object.keys(latest.value).reduce((sum, room) => sum + unread(room), 0));
  /** Notices wait while the user is "Unavailable" (the server sends none then either). */
  const notices = computed(() => (presence.confirmed === "unavailable" ? [] : attempts.value));

  async function sync(): Promise<void> {
    const ack = await request("reach:sync", {});
    if (!ack.ok) return;
    lastRead.value = raised(lastRead.value, ack.lastRead);
    latest.value = raised(latest.value, ack.latest);
    attempts.value = ack.attempts;
  }

  function sendRead(): void {
    readTimer = undefined;
    if (!toSend) return;
    const { room, id } = toSend;
    toSend = null;
    void request("room:read", { room, id });
  }

  /** The user sees `room` up to message `id`: clear its count here, and in the Store (throttled). */
  function seen(room: string, id: number): void {
    latest.value = raised(latest.value, { [room]: id });
    if (visibility.value !== "visible" || (lastRead.value[room] ?? 0) >= id) return;
    lastRead.value = raised(lastRead.value, { [room]: id });
    toSend = { room, id };
    readTimer ??= setTimeout(sendRead, READ_THROTTLE_MS);
  }

  watch(
    () => [chat.room, chat.lastMessageId, visibility.value] as const,
    ([room, id]) => {
      if (room && id) seen(room, id);
    },
  );
  watch(visibility, (shown) => {
    // Counts of rooms are not pushed to a hidden tab (it stops watching): catch up when shown.
    if (shown === "visible" && session.status === "ready") void sync();
  });
  watch(
    () => presence.confirmed,
    (now, before) => {
      if (before === "unavailable" && now !== "unavailable") void sync();
    },
  );
  watch(
    () => (visibility.value === "hidden" ? total.value : 0),
    (count) => showCountInTitle("rooms", count),
  );

  function onLatest({ rooms }: { rooms: RoomLatest[] }): void {
    latest.value = raised(latest.value, Object.fromEntries(rooms.map((r) => [r.name, r.lastMessageId])));
  }

  function onRead({ room, id }: { room: string; id: number }): void {
    lastRead.value = raised(lastRead.value, { [room]: id });
  }

  function onAttempt(attempt: ReachAttempt): void {
    attempts.value = [...attempts.value.filter((a) => a.from.id !== attempt.from.id), attempt];
  }

  function forget(from: string): void {
    attempts.value = attempts.value.filter((a) => a.from.id !== from);
  }

  /** Hides the notice of `from` in every tab of the user, and forgets it in the Store. */
  function dismiss(from: UserRef): void {
    forget(from.id);
    void request("reach:dismiss", { from: from.id });
  }

  function reset(): void {
    clearTimeout(readTimer);
    readTimer = undefined;
    toSend = null;
    lastRead.value = {};
    latest.value = {};
    attempts.value = [];
  }

  listen(
    {
      "session:ready": () => void sync(),
      "rooms:latest": onLatest,
      "room:read": onRead,
      "reach:attempt": onAttempt,
      "reach:dismissed": ({ from }) => forget(from),
    },
    () => clearTimeout(readTimer),
  );
  session.onSessionEvent("reset", reset);

  return { unread, total, notices, dismiss, sync, reset };
});
