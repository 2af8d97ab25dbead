// In-memory Store: the embedded default for one instance. It wires one part per feature (sessions,
// connections and instance runs, rooms, private chats, group calls) and composes the Store from their
// methods (compose.ts). Every part's methods run to completion without awaiting, so each Store method
// is atomic the way the Redis scripts are.
import { composeStore } from "./compose.js";
import { MemoryConnections } from "./connections/memory.js";
import { MemoryGroupCalls } from "./group/memory.js";
import type { SessionHost } from "./memory-records.js";
import { MemoryPrivateChats } from "./private/memory.js";
import { MemoryRooms } from "./rooms/memory.js";
import { MemorySessions } from "./sessions/memory.js";
import type { Store } from "./store.js";

/** A new, empty memory Store. */
export function memoryStore(): Store {
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
  const chats = new MemoryPrivateChats(host);
  const groups = new MemoryGroupCalls(host);
  const service = { ping: () => true, close: () => undefined };
  return composeStore(
    "memory",
    { sessions, connections, rooms, private: chats, group: groups, service },
    true,
  );
}
