// The private chat as the room screen wires it (member list + private chat panel), with a session and
// a room already set up. Test files mock ../src/socket themselves before importing this.
import { render } from "@testing-library/vue";
import { createPinia, type Pinia, setActivePinia } from "pinia";
import { defineComponent, h } from "vue";
import MemberList from "../src/components/MemberList.vue";
import PrivateChatPanel from "../src/components/PrivateChatPanel.vue";
import * as socketModule from "../src/socket";
import { useCallStore } from "../src/stores/call";
import { usePrivateChatStore } from "../src/stores/privateChat";
import { useRoomStore } from "../src/stores/room";
import { useSessionStore } from "../src/stores/session";
import type { FakeSocketModule } from "./fakeSocket";
import { alice, bob, carol, readyAsAlice } from "./fixtures";
export { alice, bob, carol };

export const server = socketModule as unknown as FakeSocketModule;

export const chatWithBob = { id: "chat-u-bob", with: { id: bob.id, name: bob.name } };

const ready = readyAsAlice({ messageMaxLength: 2000 });

const PrivateHarness = defineComponent(() => {
  const session = useSessionStore();
  const room = useRoomStore();
  const privateChat = usePrivateChatStore();
  useCallStore();
  return () =>
    h("div", [
      h(MemberList, {
        members: room.members,
        selfId: session.user?.id ?? null,
        opening: privateChat.opening,
        notice: privateChat.notice,
        onOpenPrivate: privateChat.open,
      }),
      privateChat.chat ? h(PrivateChatPanel, { key: privateChat.chat.id, chat: privateChat.chat }) : null,
    ]);
});

/** Renders Alice's screen in LOBBY with Bob and Carol; returns the Pinia to dispose after the test. */
export function renderPrivate(): Pinia {
  sessionStorage.clear();
  server.request.mockClear();
  const pinia = createPinia();
  setActivePinia(pinia);
  render(PrivateHarness, { global: { plugins: [pinia] } });
  server.serverEmit("session:ready", ready);
  server.serverEmit("room:state", {
    roomSeq: 0,
    room: "LOBBY",
    version: 3,
    members: [alice, bob, carol],
    history: [],
  });
  return pinia;
}

/** The payloads Alice's tab sent for one event. */
export function requests(event: string): unknown[] {
  return server.request.mock.calls.filter(([name]) => name === event).map(([, payload]) => payload);
}

export function privateMessage(id: number, text: string, from = bob) {
  return { id, chatId: chatWithBob.id, from: { id: from.id, name: from.name }, text, at: Date.now() };
}
