// Room counts for those looking at them. A membership change marks its room; once per read window the
// instance that made the change reads the marked rooms' counts (one Store call) and tells the other
// instances; every instance passes what it hears, coalesced, to its own watchers once per send window:
// the sockets that asked (rooms:watch) and the join screens' event streams (GET /api/rooms/live).
import type { RoomOccupancy } from "@videochat/protocol";
import type { Store } from "../state/store.js";
import { WATCHERS } from "./channels.js";
import type { RealtimeDeps } from "./deps.js";
import type { Events } from "./handler.js";

/** A join screen's stream of counts (GET /api/rooms/live). */
export interface CountsStream {
  /** Sends the rooms whose counts changed. */
  write(rooms: RoomOccupancy[]): void;
  /** Closes it (the instance is closing). */
  end(): void;
}

/** Every configured room's count, as GET /api/rooms lists them; rooms nobody entered yet count 0. */
export async function roomCounts(store: Store, rooms: readonly string[]): Promise<RoomOccupancy[]> {
  const counts = await store.occupancy(rooms);
  return rooms.map((name, i) => ({ name, count: 0, version: 0, ...counts[i] }));
}

export interface OccupancyFeed {
  /** Marks a room whose member count changed. */
  changed(room: string): void;
  /**
   * Every configured room's count, for a watcher to start from: the last full read (at most
   * `fullReadMs` old) updated by every count heard since, so a watch costs no Redis read.
   */
  everyRoom(): Promise<RoomOccupancy[]>;
  /**
   * The room's version read after this call, with the window's count read (a room marked changed in
   * the window costs nothing more; any other, one version read per window however many ask).
   */
  versionAfter(room: string): Promise<number>;
  stop(): void;
}

/**
 * Starts the feed. `streams` are the join screens' writers on this instance (the HTTP side adds and
 * removes them). Counts reach each watcher at most once per `sendMs`, the newest version of each room.
 */
export function createOccupancyFeed(
  deps: Pick<RealtimeDeps, "io" | "store" | "logger" | "config">,
  streams: ReadonlySet<CountsStream>,
  { readMs = 100, sendMs = 250, fullReadMs = 5000 } = {},
): OccupancyFeed {
  const { io, store, logger, config } = deps;
  /** Every room's newest count known here; read in full again when older than `fullReadMs`. */
  let latest = new Map<string, RoomOccupancy>();
  let fullRead: { at: number; done: Promise<void> } | undefined;
  /** Counts heard while a full read is on its way: they may be newer than what it returns. */
  let heardDuringRead: RoomOccupancy[] | null = null;
  let marked = new Set<string>();
  /** Rooms whose version someone awaits (versionAfter), read with the window's counts. */
  let wanted = new Map<string, { resolve: (version: number) => void; reject: (error: unknown) => void }[]>();
  let pending = new Map<string, RoomOccupancy>();
  /**
   * The versions of the last send, so a count heard twice (two instances changed the room in one
   * window) goes once. Only the last send: a late duplicate costs one delivery, which clients ignore.
   */
  let sent = new Map<string, number>();
  let readTimer: NodeJS.Timeout | undefined;
  let sendTimer: NodeJS.Timeout | undefined;

  const send = () => {
    sendTimer = undefined;
    const rooms = [...pending.values()];
    pending = new Map();
    sent = new Map(rooms.map((room) => [room.name, room.version]));
    io.local.to(WATCHERS).emit("rooms:occupancy", { rooms });
    for (const stream of streams) stream.write(rooms);
  };
  const hear = (rooms: RoomOccupancy[]) => {
    for (const room of rooms) {
      if ((latest.get(room.name)?.version ?? -1) < room.version) latest.set(room.name, room);
      heardDuringRead?.push(room);
      if ((sent.get(room.name) ?? -1) >= room.version) continue;
      const held = pending.get(room.name);
      if (!held || held.version < room.version) pending.set(room.name, room);
    }
    if (pending.size > 0) sendTimer ??= setTimeout(send, sendMs);
  };
  const read = async () => {
    readTimer = undefined;
    const names = [...marked];
    marked = new Set();
    const waiters = wanted;
    wanted = new Map();
    const versions = new Map<string, number>();
    try {
      if (names.length > 0) {
        const rooms = await roomCounts(store, names);
        for (const room of rooms) versions.set(room.name, room.version);
        // The in-memory Store has no other instance to tell (and the adapter warns on serverSideEmit).
        if (store.kind === "redis") io.serverSideEmit("rooms:occupancy", { rooms });
        hear(rooms);
      }
    } catch (error) {
      logger.error({ err: error }, "room counts read failed");
    }
    // Versions awaited of rooms the count read did not cover (or when it failed): one read each.
    await Promise.all(
      [...waiters].map(async ([room, waiting]) => {
        try {
          const version = versions.get(room) ?? (await store.roomVersion(room));
          for (const waiter of waiting) waiter.resolve(version);
        } catch (error) {
          for (const waiter of waiting) waiter.reject(error);
        }
      }),
    );
  };
  io.on("rooms:occupancy", ({ rooms }) => hear(rooms));

  return {
    changed(room) {
      marked.add(room);
      readTimer ??= setTimeout(() => void read(), readMs);
    },
    async everyRoom() {
      // A full read heals what pub/sub lost (an instance cut off from Redis) and a Redis that restarted.
      if (!fullRead || Date.now() - fullRead.at > fullReadMs) {
        heardDuringRead = [];
        const done = roomCounts(store, config.rooms).then((rooms) => {
          latest = new Map(rooms.map((room) => [room.name, room]));
          for (const room of heardDuringRead ?? [])
            if ((latest.get(room.name)?.version ?? -1) < room.version) latest.set(room.name, room);
          heardDuringRead = null;
        });
        fullRead = { at: Date.now(), done };
        done.catch(() => {
          fullRead = undefined;
          heardDuringRead = null;
        });
      }
      await fullRead.done;
      return config.rooms.map((name) => latest.get(name) ?? { name, count: 0, version: 0 });
    },
    versionAfter(room) {
      return new Promise((resolve, reject) => {
        const waiting = wanted.get(room) ?? [];
        waiting.push({ resolve, reject });
        wanted.set(room, waiting);
        readTimer ??= setTimeout(() => void read(), readMs);
      });
    },
    stop() {
      clearTimeout(readTimer);
      clearTimeout(sendTimer);
      // The instance is closing, its sockets with it: their checks are dropped, not failed (no error logs).
      wanted = new Map();
    },
  };
}

/** `rooms:watch`: a tab that shows room counts joins the watchers and gets every count to start from. */
export function register(events: Events, deps: RealtimeDeps): void {
  events.on("rooms:watch", async (socket, { watch }) => {
    if (!watch) {
      await socket.leave(WATCHERS);
      return { ok: true, rooms: [] };
    }
    // Joined before the read: a change after it arrives as a count with a newer version.
    await socket.join(WATCHERS);
    return { ok: true, rooms: await deps.everyRoomCount() };
  });
}
