// Room counts as a pure value: a full list from GET /api/rooms, then deltas of the rooms that changed.
import type { RoomOccupancy } from "@videochat/protocol";

/**
 * Applies counts of changed rooms to the list held, keeping the room order; a count older than the
 * one held (a lower membership version) is ignored. Rooms not yet listed are appended.
 */
export function mergeOccupancy(
  held: readonly RoomOccupancy[],
  changed: readonly RoomOccupancy[],
): RoomOccupancy[] {
  const byName = new Map(held.map((room) => [room.name, room]));
  for (const room of changed) {
    const known = byName.get(room.name);
    if (!known || room.version > known.version) byName.set(room.name, room);
  }
  return [...byName.values()];
}
