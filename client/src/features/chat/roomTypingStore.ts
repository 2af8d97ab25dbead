// "Ben is typing…" in the room: who else is typing there now, and our own typing signal.
import { defineStore } from "pinia";
import { computed, ref, watch } from "vue";
import type { ChatMessage, MemberLeft, UserRef } from "@videochat/protocol";
import { listen } from "../session/listen";
import { request } from "../session/socket";
import { createTypingSignal } from "./typing";
import { useRoomStore } from "../room/roomStore";
import { useSessionStore } from "../session/sessionStore";
import { t } from "../../i18n";

/** How long "is typing…" stays without news: the typist's tab may have gone away mid-word. */
const TYPING_EXPIRES_MS = 5000;

/** "Ben is typing…", "Ben and Cy are typing…", "Ben, Cy and 2 others are typing…"; "" for nobody. */
export function typingLine(names: readonly string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return t("chat.typingOne", { name: names[0] });
  if (names.length === 2) return t("chat.typingTwo", { first: names[0], second: names[1] });
  const others = names.length - 2;
  return t("chat.typingMany", { first: names[0], second: names[1], n: others }, others);
}

export const useRoomTypingStore = defineStore("roomTyping", () => {
  const rooms = useRoomStore();
  /** Who is typing in `room`, by user id, in the order they started. */
  const typists = ref(new Map<string, UserRef>());
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const signal = createTypingSignal((typing) => void request("room:typing", { typing }));

  function stopped(userId: string): void {
    clearTimeout(timers.get(userId));
    timers.delete(userId);
    if (!typists.value.has(userId)) return;
    const next = new Map(typists.value);
    next.delete(userId);
    typists.value = next;
  }

  function onTyping(payload: { room: string; user: UserRef; typing: boolean }): void {
    if (payload.room !== rooms.current || payload.user.id === useSessionStore().user?.id) return;
    if (!payload.typing) return stopped(payload.user.id);
    clearTimeout(timers.get(payload.user.id));
    timers.set(
      payload.user.id,
      setTimeout(() => stopped(payload.user.id), TYPING_EXPIRES_MS),
    );
    if (!typists.value.has(payload.user.id))
      typists.value = new Map(typists.value).set(payload.user.id, payload.user);
  }

  function clear(): void {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
    typists.value = new Map();
    signal.reset();
  }

  // Another room: nobody there has said anything yet.
  watch(() => rooms.current, clear);

  listen(
    {
      "room:typing": onTyping,
      // A message or a departure ends that person's typing at once.
      "room:message": (message: ChatMessage) => stopped(message.from.id),
      "room:member-left": (left: MemberLeft) => stopped(left.member.id),
    },
    clear,
  );

  const line = computed(() => typingLine([...typists.value.values()].map((user) => user.name)));

  return { line, note: signal.note, stop: signal.stop, reset: clear };
});
