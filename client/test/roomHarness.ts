// The room screen as a tab that already holds a session (as after a reload), behind the real router.
// Test files mock ../src/socket themselves before importing this.
import { render, screen } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { createPinia, type Pinia } from "pinia";
import { expect, vi } from "vitest";
import { defineComponent, h } from "vue";
import { createMemoryHistory, type Router, RouterView } from "vue-router";
import type { Member } from "@videochat/protocol";
import { createAppRouter } from "../src/router";
import * as socketModule from "../src/features/session/socket";
import type { FakeSocketModule } from "./fakeSocket";
import { alice, readyAsAlice } from "./fixtures";

export const server = socketModule as unknown as FakeSocketModule;

export const bob: Member = { id: "u-bob", name: "Bob", status: "absent", busy: false };
export const ready = { ...readyAsAlice(), resumed: true, instanceId: "instance-a" };
export const occupancy = {
  rooms: [
    { name: "LOBBY", count: 2, version: 2 },
    { name: "SPORTS", count: 0, version: 0 },
  ],
};

/** Opens `path` with Alice's session in LOBBY, Bob beside her; the caller disposes the Pinia. */
export async function openRoomTab(path: string) {
  sessionStorage.setItem(
    "videochat.session",
    JSON.stringify({ token: "t-1", user: { id: alice.id, name: alice.name }, room: "LOBBY" }),
  );
  const pinia: Pinia = createPinia();
  const router: Router = createAppRouter(createMemoryHistory());
  render(
    defineComponent(() => () => h(RouterView)),
    { global: { plugins: [pinia, router] } },
  );
  await router.push(path);
  await screen.findByRole("button", { name: "Leave" });
  expect(server.socket.connect).toHaveBeenCalled();
  server.serverEmit("session:ready", ready);
  server.serverEmit("room:state", {
    roomSeq: 0,
    room: "LOBBY",
    version: 4,
    members: [alice, bob],
    history: [],
  });
  server.serverEmit("rooms:occupancy", occupancy);
  return { user: userEvent.setup(), pinia, router };
}

/** A fresh tab's storage and a socket that is not connected yet; rooms come from a stubbed fetch. */
export function resetRoomTab(): void {
  sessionStorage.clear();
  server.request.mockClear();
  server.socket.connect.mockClear();
  server.socket.connected = false;
  server.socket.active = false;
  server.setConnectionState("connected");
  vi.stubGlobal(
    "fetch",
    vi.fn(async () => new Response(JSON.stringify(occupancy), { status: 200 })),
  );
}

/** The payloads the tab sent for one event. */
export function requests(event: string): unknown[] {
  return server.request.mock.calls.filter(([name]) => name === event).map(([, payload]) => payload);
}
