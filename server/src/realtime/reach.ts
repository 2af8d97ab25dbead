// Reaching people: "do not disturb" (a person who chose "Unavailable" is not interrupted, and later sees
// who tried), the same notice for someone who was busy, and the read positions behind unread counts.
import type { ReachKind, RoomLatest } from "@videochat/protocol";
import { userChannel, WATCHERS } from "./channels.js";
import type { RealtimeDeps } from "./deps.js";
import { fail } from "./acks.js";
import type { Events } from "./handler.js";
import { TEXTS } from "../error-texts.js";

type Deps = Pick<RealtimeDeps, "io" | "store" | "clock">;

/**
 * The refusal to send when `toId` chose "Unavailable" (the attempt is then kept for them, in the same
 * Store step), or null when `fromId` may go on. One Store round trip, on the paths that interrupt
 * someone (private:open, call:invite, group:invite), never on a message's.
 */
export async function refuseIfUnavailable(deps: Deps, fromId: string, toId: string, kind: ReachKind) {
  const check = await deps.store.checkReach(fromId, toId, kind, deps.clock());
  return check.refused ? fail("do_not_disturb", TEXTS.do_not_disturb(check.name)) : null;
}

/** `toId` was busy when `fromId` tried to reach them: keep the attempt and tell their tabs now. */
export async function tellBusy(deps: Deps, fromId: string, toId: string, kind: ReachKind): Promise<void> {
  const attempt = await deps.store.noteReach(fromId, toId, kind, deps.clock());
  if (attempt) deps.io.to(userChannel(toId)).emit("reach:attempt", attempt);
}

/** What an instance tells watchers of the rooms it posted to: the newest id per room, coalesced. */
export interface LatestFeed {
  /** A message `id` was posted in `room` on this instance (no Store call). */
  posted(room: string, id: number): void;
  stop(): void;
}

/**
 * Room switchers count unread messages from each room's newest id. Rather than a broadcast per message
 * to every tab, each instance collects the newest id of the rooms it posted to and, at most once per
 * `windowMs`, tells its own watchers and the other instances (one serverSideEmit): no Store command.
 */
export function createLatestFeed(
  deps: Pick<RealtimeDeps, "io" | "store" | "logger">,
  { windowMs = 1000 } = {},
): LatestFeed {
  const { io } = deps;
  let pending = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  const tellWatchers = (rooms: RoomLatest[]) => io.local.to(WATCHERS).emit("rooms:latest", { rooms });
  const flush = () => {
    timer = undefined;
    const rooms = [...pending].map(([name, lastMessageId]) => ({ name, lastMessageId }));
    pending = new Map();
    if (deps.store.kind === "redis") io.serverSideEmit("rooms:latest", { rooms });
    tellWatchers(rooms);
  };
  io.on("rooms:latest", ({ rooms }) => tellWatchers(rooms));
  return {
    posted(room, id) {
      if ((pending.get(room) ?? 0) < id) pending.set(room, id);
      timer ??= setTimeout(flush, windowMs).unref();
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

export function register(events: Events, deps: RealtimeDeps): void {
  const { io, store, config } = deps;

  events.on("reach:sync", async (socket) => {
    const me = socket.data.userId;
    const session = await store.getSession(me);
    if (!session) return fail("session_unknown", TEXTS.session_unknown.ended);
    const [state, attempts] = await Promise.all([
      store.readState(me, config.rooms, deps.clock()),
      // Nobody interrupts an "Unavailable" person, not even with notices: they come once available.
      session.chosen === "unavailable" ? [] : store.reachAttempts(me),
    ]);
    return { ok: true, ...state, attempts };
  });

  events.on("reach:dismiss", async (socket, { from }) => {
    const me = socket.data.userId;
    if (await store.dismissReach(me, from)) io.to(userChannel(me)).emit("reach:dismissed", { from });
    return { ok: true };
  });

  events.on("room:read", async (socket, { room, id }) => {
    const me = socket.data.userId;
    // Only the room the sender is in (its tabs show no other room's messages).
    const known = socket.data.session;
    const session = known?.room === room ? known : await store.getSession(me);
    if (!session || session.room !== room) return fail("not_in_room", TEXTS.not_in_room);
    const moved = await store.markRead(me, room, id);
    if (moved !== null) io.to(userChannel(me)).emit("room:read", { room, id: moved });
    return { ok: true, id: moved ?? id };
  });
}
