// A stand-in for src/socket.ts in unit tests: the server's events are delivered by hand with
// `serverEmit`, and client requests are recorded by a mock that acks like a friendly server.
import { vi } from "vitest";
import { readonly, ref } from "vue";
import type { ChatMessage, MediaState, PrivateMessage, ServerToClientEvents } from "@videochat/protocol";
import type { ConnectionState, RequestName, RequestPayload } from "../src/features/session/socket";

type Listener = (...args: any[]) => void;
let nextPrivateMessageId = 2000;
const ALICE = { id: "u-alice", name: "Alice" };
const BOB = { id: "u-bob", name: "Bob" };
/** The participants' media states the friendly server keeps with Bob's call (GroupCall.media on a join). */
export const keptMedia: Record<string, MediaState> = {};

function friendlyAck(event: RequestName, payload: any): any {
  switch (event) {
    case "room:join":
      return { ok: true, room: payload.room };
    case "presence:set":
      return { ok: true, status: payload.status };
    case "room:message": {
      const message: ChatMessage = {
        id: 1000,
        room: "LOBBY",
        from: { id: "u-alice", name: "Alice" },
        text: payload.text,
        at: Date.now(),
      };
      return { ok: true, message };
    }
    case "room:delete": {
      const message: ChatMessage = {
        id: payload.id,
        room: "LOBBY",
        from: { id: "u-alice", name: "Alice" },
        text: "",
        at: Date.now(),
        deleted: true,
      };
      return { ok: true, message };
    }
    case "private:open": {
      const name = ({ "u-bob": "Bob", "u-carol": "Carol" } as Record<string, string>)[payload.with];
      return {
        ok: true,
        chat: { id: `chat-${payload.with}`, with: { id: payload.with, name: name ?? "Partner" } },
      };
    }
    case "private:message": {
      const message: PrivateMessage = {
        id: (nextPrivateMessageId += 1),
        chatId: "chat-u-bob", // the chat the tests open with Bob
        from: { id: "u-alice", name: "Alice" },
        text: payload.text,
        at: Date.now(),
      };
      return { ok: true, message };
    }
    case "call:invite":
      return { ok: true, call: { id: "call-1", callerId: "u-alice", state: "ringing" } };
    case "call:ice-servers":
      return { ok: true, iceServers: [], iceTransportPolicy: "all" };
    case "rooms:watch":
      return { ok: true, rooms: [] };
    case "reach:sync":
      return { ok: true, lastRead: {}, latest: {}, attempts: [] };
    // A group call in LOBBY: Alice starts one alone, or joins Bob's.
    case "group:start":
      return {
        ok: true,
        call: { id: "group-1", room: "LOBBY", participants: [ALICE], version: 1, max: 6, media: {} },
      };
    case "group:join":
      return {
        ok: true,
        call: {
          id: payload.callId,
          room: "LOBBY",
          participants: [BOB, ALICE],
          version: 2,
          max: 6,
          media: { ...keptMedia },
        },
      };
    default:
      return { ok: true };
  }
}

export function createFakeSocketModule() {
  const listeners = new Map<string, Set<Listener>>();
  const socket = {
    connected: true,
    active: true,
    on(event: string, listener: Listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
      return socket;
    },
    off(event: string, listener: Listener) {
      listeners.get(event)?.delete(listener);
      return socket;
    },
    connect: vi.fn(),
    disconnect: vi.fn(),
  };
  const state = ref<ConnectionState>("connected");
  return {
    socket,
    ACK_TIMEOUT_MS: 8000,
    connectionState: readonly(state),
    setConnectionState: (next: ConnectionState) => {
      state.value = next;
    },
    setHandshake: vi.fn(),
    setSessionLostHandler: vi.fn(),
    request: vi.fn(async <E extends RequestName>(event: E, payload: RequestPayload<E>) =>
      friendlyAck(event, payload),
    ),
    /** Delivers a server->client event to every listener, as the server would. */
    serverEmit<E extends keyof ServerToClientEvents>(
      event: E,
      payload: Parameters<ServerToClientEvents[E]>[0],
    ) {
      for (const listener of [...(listeners.get(event) ?? [])]) listener(payload);
    },
    listenerCount: (event: string) => listeners.get(event)?.size ?? 0,
  };
}

export type FakeSocketModule = ReturnType<typeof createFakeSocketModule>;
