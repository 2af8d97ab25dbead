// Keeps the room screen's URL and the session's room in step. The URL says where the user wants
// to be: visiting or clicking /room/X joins X; a join the server refuses puts the URL back.
import { computed, watch } from "vue";
import { useRoute, useRouter } from "vue-router";
import { useRoomStore } from "./roomStore";
import { useSessionStore } from "../session/sessionStore";

export function useRoomRoute(): void {
  const route = useRoute();
  const router = useRouter();
  const session = useSessionStore();
  const room = useRoomStore();
  const wanted = computed(() => (typeof route.params.room === "string" ? route.params.room : null));
  let joining = false;

  async function showCurrent(): Promise<void> {
    if (room.current) await router.replace({ name: "room", params: { room: room.current } });
  }

  async function sync(): Promise<void> {
    if (joining || session.status !== "ready" || !wanted.value || !room.current) return;
    if (wanted.value === room.current) return;
    const target = wanted.value;
    joining = true;
    const ack = await room.join(target);
    joining = false;
    if (wanted.value !== target) return sync(); // the user picked yet another room meanwhile
    // Refused: the URL goes back to where the session is. The server may also spell the room
    // differently from the URL; its spelling wins.
    if (!ack.ok || ack.room !== target) await showCurrent();
  }

  watch([wanted, () => session.status, () => room.current], () => void sync(), { immediate: true });
}
