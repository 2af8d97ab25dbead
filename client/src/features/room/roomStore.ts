// Rooms with their occupancy, the current room, and its member list kept by snapshot + versioned deltas.
import { defineStore } from "pinia";
import { computed, ref, shallowRef, triggerRef } from "vue";
import type {
  MemberJoined,
  MemberLeft,
  MemberUpdated,
  RoomOccupancy,
  RoomState,
  SessionReady,
} from "@videochat/protocol";
import { fetchRooms } from "../session/api";
import { mergeOccupancy } from "./occupancy";
import {
  applyDelta,
  fromSnapshot,
  type MemberDelta,
  type MemberList,
  sortedMembers,
  supersedes,
} from "./members";
import { streamRoomCounts } from "./liveCounts";
import { request, socket, type RequestResult } from "../session/socket";
import { useChatStore } from "../chat/chatStore";
import { useSessionStore } from "../session/sessionStore";
import { listen } from "../session/listen";
import { errorText } from "../../i18n/errors";

export type RoomStatus = "idle" | "loading" | "joining";

/**
 * Recent deltas, kept so that a room:state can be completed by deltas that overtook it: those of a
 * room we are entering, or newer than a fresh snapshot of the room we are in.
 */
const RECENT_DELTA_LIMIT = 300;
interface RecentDelta {
  delta: MemberDelta;
  announced: boolean;
}

export const useRoomStore = defineStore("room", () => {
  const rooms = ref<RoomOccupancy[]>([]);
  const current = ref<string | null>(null);
  const memberList = shallowRef<MemberList | null>(null);
  const status = ref<RoomStatus>("idle");
  /** Why the last join failed. */
  const error = ref<string | null>(null);
  /** Why the room list could not be loaded (join screen). */
  const roomsError = ref<string | null>(null);
  let recent: RecentDelta[] = [];
  /** Whether this tab shows room counts from its socket (rooms:watch), told again at each connection. */
  let watching = false;
  const chat = useChatStore();

  const members = computed(() => (memberList.value ? sortedMembers(memberList.value) : []));

  /** Applies a delta to the list; announces it in the feed when it was news. */
  function apply(list: MemberList, delta: MemberDelta, announce: boolean): boolean {
    if (!applyDelta(list, delta)) return false;
    if (announce) chat.addMemberLine(delta);
    return true;
  }

  function onRoomState(state: RoomState): void {
    if (!supersedes(memberList.value, state)) return;
    current.value = state.room;
    chat.receiveRoomState(state);
    const list = fromSnapshot(state);
    for (const entry of recent) {
      if (entry.delta.room !== state.room) continue;
      if (apply(list, entry.delta, !entry.announced)) entry.announced = true;
    }
    memberList.value = list;
  }

  function receiveDelta(delta: MemberDelta): void {
    const entry: RecentDelta = { delta, announced: false };
    recent = [...recent, entry].slice(-RECENT_DELTA_LIMIT);
    const list = memberList.value;
    // A delta of a room we are entering waits in `recent` for that room's state; one of a room we are
    // leaving would only add noise to a feed about to be replaced.
    if (!list || list.room !== delta.room || delta.room !== current.value) return;
    if (apply(list, delta, true)) {
      entry.announced = true;
      triggerRef(memberList);
    }
  }

  const onMemberJoined = (d: MemberJoined) => receiveDelta({ kind: "joined", ...d });
  const onMemberLeft = (d: MemberLeft) => receiveDelta({ kind: "left", ...d });
  const onMemberUpdated = (d: MemberUpdated) => receiveDelta({ kind: "updated", ...d });
  /** Counts arrive for the rooms that changed only, possibly out of order: the newest version wins. */
  function onOccupancy(payload: { rooms: RoomOccupancy[] }): void {
    rooms.value = mergeOccupancy(rooms.value, payload.rooms);
  }
  function onSessionReady(ready: SessionReady): void {
    current.value = ready.room;
    // A new session (claimed again after the old one ended) counts its room moves from zero.
    if (!ready.resumed) memberList.value = null;
    // A new connection is no watcher yet.
    if (watching) void sendWatch(true);
  }

  async function sendWatch(watch: boolean): Promise<void> {
    const ack = await request("rooms:watch", { watch });
    // Every room's count, read after this socket joined the watchers: deltas held are kept if newer.
    if (ack.ok && watch) rooms.value = mergeOccupancy(ack.rooms, rooms.value);
  }

  /**
   * Receives every room's count and then its changes on this tab's socket, until the returned function
   * is called. Offline, the next connection starts it (session:ready).
   */
  function watchRooms(): () => void {
    watching = true;
    if (socket.connected) void sendWatch(true);
    return () => {
      watching = false;
      if (socket.connected) void sendWatch(false);
    };
  }

  /** The same without a socket (the join screen): server-sent events, until the returned function is called. */
  function streamRooms(): () => void {
    return streamRoomCounts((counts) => onOccupancy(counts));
  }

  async function loadRooms(): Promise<void> {
    status.value = "loading";
    const result = await fetchRooms();
    status.value = "idle";
    // Deltas that arrived while the list was on its way are newer than it, or ignored.
    if (result.ok) rooms.value = mergeOccupancy(result.value.rooms, rooms.value);
    roomsError.value = result.ok ? null : result.error.message;
  }

  /** Moves this session to another room; the room:state that follows fills the member list and feed. */
  async function join(room: string): Promise<RequestResult<"room:join">> {
    status.value = "joining";
    const ack = await request("room:join", { room });
    status.value = "idle";
    if (ack.ok) {
      error.value = null;
      current.value = ack.room;
      useSessionStore().rememberRoom(ack.room);
    } else {
      error.value = errorText(ack.error, { event: "room:join", room });
    }
    return ack;
  }

  function reset(): void {
    current.value = null;
    memberList.value = null;
    recent = [];
    status.value = "idle";
    error.value = null;
  }

  listen({
    "session:ready": onSessionReady,
    "room:state": onRoomState,
    "room:member-joined": onMemberJoined,
    "room:member-left": onMemberLeft,
    "room:member-updated": onMemberUpdated,
    "rooms:occupancy": onOccupancy,
  });

  useSessionStore().onSessionEvent("reset", reset);

  return {
    rooms,
    current,
    members,
    status,
    error,
    roomsError,
    loadRooms,
    watchRooms,
    streamRooms,
    join,
    reset,
  };
});
