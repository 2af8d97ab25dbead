// The member list of one room as a pure value: a snapshot plus versioned deltas.
// Plain TypeScript with no Vue inside, so the server's join-storm test can run the same algorithm.
import type { Member, MemberJoined, MemberLeft, MemberUpdated, RoomState } from "@videochat/protocol";

export interface MemberList {
  room: string;
  /** The session's room-move count this list was sent for (RoomState.roomSeq). */
  roomSeq: number;
  /** Version of the snapshot; deltas at or below it are already included. */
  snapshotVersion: number;
  /** Present members by id. */
  members: Map<string, Member>;
  /** The last version applied per member id, present or not, so an older delta cannot undo a newer one. */
  seen: Map<string, number>;
}

export type MemberDelta =
  | ({ kind: "joined" } & MemberJoined)
  | ({ kind: "left" } & MemberLeft)
  | ({ kind: "updated" } & MemberUpdated);

export function fromSnapshot(state: Pick<RoomState, "room" | "roomSeq" | "version" | "members">): MemberList {
  const members = new Map(state.members.map((m) => [m.id, m]));
  return {
    room: state.room,
    roomSeq: state.roomSeq,
    snapshotVersion: state.version,
    members,
    seen: new Map(),
  };
}

/**
 * Whether a room state should replace the list held: states can overtake each other when two tabs
 * of one session move at once, and the one sent for the latest move wins.
 */
export function supersedes(list: MemberList | null | undefined, state: Pick<RoomState, "roomSeq">): boolean {
  return !list || state.roomSeq >= list.roomSeq;
}

/** Applies a delta if it is news; returns whether the list changed. */
export function applyDelta(list: MemberList, delta: MemberDelta): boolean {
  if (delta.room !== list.room || delta.version <= list.snapshotVersion) return false;
  const id = delta.member.id;
  if ((list.seen.get(id) ?? 0) >= delta.version) return false;
  list.seen.set(id, delta.version);
  if (delta.kind === "left") list.members.delete(id);
  else list.members.set(id, delta.member);
  return true;
}

/** Members sorted by name for display. */
export function sortedMembers(list: MemberList): Member[] {
  return [...list.members.values()].sort((a, b) => a.name.localeCompare(b.name));
}
