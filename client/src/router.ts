// Two screens: joining at `/`, and a room at `/room/:room` that follows the session's current room.
import { createRouter, createWebHistory, type RouterHistory } from "vue-router";
import { useSessionStore } from "./features/session/sessionStore";
import JoinView from "./features/session/JoinView.vue";
import RoomView from "./features/room/RoomView.vue";

export function createAppRouter(history: RouterHistory = createWebHistory()) {
  const router = createRouter({
    history,
    routes: [
      { path: "/", name: "join", component: JoinView },
      { path: "/room/:room", name: "room", component: RoomView },
      { path: "/:unknown(.*)*", redirect: "/" },
    ],
  });

  router.beforeEach((to) => {
    const session = useSessionStore();
    // Without a session a room cannot be shown; offer to join that very room instead.
    if (to.name === "room" && !session.token) return { name: "join", query: { room: to.params.room } };
    // With a live session, `/` leads back to the room rather than claiming a second name.
    if (to.name === "join" && session.token && session.room) {
      return { name: "room", params: { room: session.room } };
    }
    return true;
  });

  return router;
}
