// Unread counts of the rooms, pure: a room's count is how far its newest message id is past the user's
// last-read position (room message ids increase by one per message: ChatMessage.id).

/** Positions and newest ids by room. */
export type RoomIds = Record<string, number>;

/** How many messages of `room` the user has not seen. */
export function unreadIn(room: string, lastRead: RoomIds, latest: RoomIds): number {
  const newest = latest[room] ?? 0;
  const read = lastRead[room];
  // Before the first sync a room has no position: nothing is owed yet.
  return read === undefined ? 0 : Math.max(0, newest - read);
}

/** `ids` with each of `updates` kept only where it is higher (positions and ids never go back). */
export function raised(ids: RoomIds, updates: RoomIds): RoomIds {
  let next = ids;
  for (const [room, id] of Object.entries(updates)) {
    if ((next[room] ?? -1) >= id) continue;
    if (next === ids) next = { ...ids };
    next[room] = id;
  }
  return next;
}
