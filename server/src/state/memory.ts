// In-memory Store: the embedded default for one instance. It wires one part per feature (sessions,
// connections and instance runs, rooms, private chats, group calls) and composes the Store from their
// methods (compose.ts). Every part's methods run to completion without awaiting, so each Store method
// is atomic the way the Redis scripts are.
import { composeStore } from "./compose.js";
import { MemoryConnections } from "./connections/memory.js";
import { MemoryFiles } from "./files/memory.js";
import { MemoryGroupCalls } from "./group/memory.js";
import type { SessionHost } from "./memory-records.js";
import { MemoryPrivateChats } from "./private/memory.js";
import { MemoryReach } from "./reach/memory.js";
import { MemoryRelays } from "./relays/memory.js";
import { MemoryRooms } from "./rooms/memory.js";
import { MemorySessions } from "./sessions/memory.js";
import type { Store } from "./store.js";
import { PRIVATE_HISTORY_MS, type StoreOptions } from "./types.js";
import { REACH_TTL_MS } from "./reach/contract.js";

/** A new, empty memory Store. */
export function memoryStore(options: StoreOptions = {}): Store {
  // The parts reach each other through closures, so they may be built before the parts they call.
  const rooms = new MemoryRooms((room) => groups.groupCallOf(room));
  const sessions: MemorySessions = new MemorySessions(rooms, {
    closeChat: (chatId) => chats.close(chatId),
    leaveGroupCall: (record) => groups.leave(record),
  });
  const connections = new MemoryConnections(sessions, rooms);
  const host: SessionHost = {
    session: (id) => sessions.record(id),
    refresh: (session) => rooms.refreshMember(session),
    connected: (id, connection) => !!sessions.record(id)?.connections.has(connection),
  };
  const chats = new MemoryPrivateChats(host, options.privateHistoryMs ?? PRIVATE_HISTORY_MS);
  const groups = new MemoryGroupCalls(host);
  const reach = new MemoryReach(
    host,
    (room) => rooms.latestMessageId(room),
    (room, id) => rooms.seedMessageId(room, id),
    options.reachTtlMs ?? REACH_TTL_MS,
  );
  const service = { ping: () => true, close: () => undefined };
  return composeStore(
    "memory",
    {
      sessions,
      connections,
      rooms,
      private: chats,
      group: groups,
      reach,
      files: new MemoryFiles(),
      relays: new MemoryRelays(),
      service,
    },
    true,
  );
}
