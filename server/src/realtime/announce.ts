// Telling rooms about membership changes. Shared by the features that change membership
// (session start and end, room switches, the reaper), so every path words changes alike.
import type { LeaveReason, RoomState } from "@videochat/protocol";
import { missedSince } from "../state/message-change.js";
import type { MembershipChange, RoomView } from "../state/store.js";
import { roomChannel } from "./channels.js";
import type { AppSocket, RealtimeDeps } from "./deps.js";

type Deps = Pick<RealtimeDeps, "io" | "announceOccupancy">;

/** `except`: the joiner's socket, when the room state it gets already has the change. */
export function announceJoined(deps: Deps, joined: MembershipChange, except?: string): void {
  deps.io
    .to(roomChannel(joined.room))
    .except(except ?? [])
    .emit("room:member-joined", joined);
  deps.announceOccupancy(joined.room);
}

export function announceLeft(deps: Deps, left: MembershipChange, reason: LeaveReason, to?: string): void {
  deps.io
    .to(roomChannel(left.room))
    .emit("room:member-left", to ? { ...left, reason, to } : { ...left, reason });
  deps.announceOccupancy(left.room);
}

/**
 * The snapshot a client enters a room with: members, version and history (or what follows `afterId`),
 * stamped with the recipient's room-move count `roomSeq`.
 */
export async function roomState(
  deps: Pick<RealtimeDeps, "store">,
  room: string,
  roomSeq: number,
  afterId?: number,
): Promise<RoomState> {
  const [snapshot, history, groupCall] = await Promise.all([
    deps.store.roomSnapshot(room),
    deps.store.roomHistory(room),
    deps.store.groupCallOf(room),
  ]);
  return stateOf(room, roomSeq, { ...snapshot, history, groupCall }, afterId);
}

/** roomState from a RoomView the Store read in the step that put the session in `room`. */
export function stateOf(room: string, roomSeq: number, view: RoomView, afterId?: number): RoomState {
  const { version, members, groupCall } = view;
  const history = missedSince(view.history, afterId);
  return { room, roomSeq, version, members, history, groupCall };
}

/** How long a delta older than a re-read version may still be on its way (its broadcast waits for Redis). */
const IN_FLIGHT_MS = 250;

/**
 * A state read in the Store step that put a session in `room` was read before `socket` joined the
 * room's channel here: a delta from another instance dispatched in between reached nobody. From the
 * join on, this notes the room's deltas `socket` is sent, reads the room's version again (with the
 * occupancy feed's read of the window, up to 100 ms later: roomVersionAfter), and sends
 * the state again through `send` (clients keep the newest) only if a delta after `state.version` has
 * not reached the socket IN_FLIGHT_MS later. Off the path of the first state; the watch then ends.
 */
export function confirmState(
  deps: Pick<RealtimeDeps, "store" | "logger" | "roomVersionAfter">,
  socket: AppSocket,
  send: (state: RoomState) => void,
  state: RoomState,
  afterId?: number,
): void {
  const seen = new Set<number>();
  let missing: Set<number> | undefined;
  let allSeen: (() => void) | undefined;
  const watch = (event: string, change?: { room?: unknown; version?: unknown }) => {
    if (!event.startsWith("room:member-") || change?.room !== state.room) return;
    if (typeof change.version !== "number") return;
    seen.add(change.version);
    missing?.delete(change.version);
    if (missing?.size === 0) allSeen?.();
  };
  socket.onAnyOutgoing(watch);
  const missed = async () => {
    // Read with the window's room counts (a join's room is read for its count anyway): no GET of its own.
    const version = await (deps.roomVersionAfter ?? ((room) => deps.store.roomVersion(room)))(state.room);
    if (version < state.version) return true; // the Store lost the room meanwhile
    missing = new Set();
    for (let v = state.version + 1; v <= version; v++) if (!seen.has(v)) missing.add(v);
    if (missing.size === 0) return false;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      allSeen = resolve;
      timer = setTimeout(resolve, IN_FLIGHT_MS);
    });
    clearTimeout(timer);
    return missing.size > 0;
  };
  missed()
    .then(async (resend) => resend && send(await roomState(deps, state.room, state.roomSeq, afterId)))
    .catch((error: unknown) => deps.logger.error({ err: error, room: state.room }, "room state check failed"))
    .finally(() => socket.offAnyOutgoing(watch));
}
