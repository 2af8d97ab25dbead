// The room screen's calls as RoomView wires them (member list, call stage, group call bar, private
// chat panel, call settings), with a session and a room already set up. Test files mock ../src/socket themselves before importing this.
import { render } from "@testing-library/vue";
import { createPinia, type Pinia, setActivePinia } from "pinia";
import { defineComponent, h } from "vue";
import type { GroupCall } from "@videochat/protocol";
import CallSettings from "../src/features/devices/CallSettings.vue";
import CallSettingsButton from "../src/features/devices/CallSettingsButton.vue";
import { useCallStage } from "../src/features/call/callStage";
import CallStage from "../src/features/call/CallStage.vue";
import GroupCallBar from "../src/features/group-call/GroupCallBar.vue";
import MemberList from "../src/features/room/MemberList.vue";
import PrivateChatPanel from "../src/features/private/PrivateChatPanel.vue";
import * as socketModule from "../src/features/session/socket";
import { useDeviceStore } from "../src/features/devices/deviceStore";
import { useGroupCallStore } from "../src/features/group-call/groupCallStore";
import { useGesturesStore } from "../src/features/call/gesturesStore";
import { usePrivateChatStore } from "../src/features/private/privateChatStore";
import { useRoomStore } from "../src/features/room/roomStore";
import { useSessionStore } from "../src/features/session/sessionStore";
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
  const group = useGroupCallStore();
  const devices = useDeviceStore();
  const stage = useCallStage();
  useGesturesStore(); // as RoomView: there before a reloaded page's private:opened
  return () =>
    h("div", [
      stage.shown.value ? null : h(CallSettingsButton),
      h(MemberList, {
        members: room.members,
        selfId: session.user?.id ?? null,
        opening: privateChat.opening,
        notice: privateChat.notice,
        inCall: group.participants.map((p) => p.id),
        canInvite: group.inCall,
        onOpenPrivate: privateChat.open,
        onInvite: group.invite,
      }),
      h(CallStage),
      h(GroupCallBar),
      privateChat.chat ? h(PrivateChatPanel, { key: privateChat.chat.id, chat: privateChat.chat }) : null,
      devices.settingsOpen ? h(CallSettings) : null,
    ]);
});

/** Renders Alice's screen in LOBBY with Bob and Carol; returns the Pinia to dispose after the test. */
export function renderPrivate(options: { groupCall?: GroupCall | null } = {}): Pinia {
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
    groupCall: options.groupCall ?? null,
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
