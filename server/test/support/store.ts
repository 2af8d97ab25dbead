// Helpers for the Store contract suites.
import type { Store } from "../../src/state/store.js";

/** Claims `userName` (its lower case as the name key) in `room`, expiring in a minute unless attached. */
export async function claimName(store: Store, userName: string, room = "GENERAL") {
  const created = await store.createSession({
    name: userName,
    nameKey: userName.toLowerCase(),
    room,
    graceDeadline: Date.now() + 60_000,
  });
  if (!created.ok) throw new Error(`could not create ${userName}`);
  return created;
}

/**
 * Claims `userName` in `room` and attaches one connection (`conn-<name>` unless named), so the member is
 * in the room. Returns the created session with its token and the attach result; throws if either fails.
 */
export async function enterRoom(store: Store, userName: string, room = "GENERAL", connection?: string) {
  const created = await claimName(store, userName, room);
  const attached = await store.attachConnection(created.session.id, connection ?? `conn-${userName}`, 8);
  if (!attached.ok) throw new Error(attached.code);
  return { ...created, attached };
}

/**
 * A session of `userName` in GENERAL with the given connections attached (none: claimed, not yet in the
 * room). Returns the session with its token; throws if the name is taken or an attach fails.
 */
export async function openSession(store: Store, userName: string, ...connections: string[]) {
  const created = await claimName(store, userName);
  for (const connection of connections) {
    const attached = await store.attachConnection(created.session.id, connection, 8);
    if (!attached.ok) throw new Error(attached.code);
  }
  return { ...created.session, token: created.token };
}

/** Bo, in `room` on one connection, posts `text` (at time 1) as history for a later member to see. */
export async function boPosts(store: Store, text: string, room = "GENERAL") {
  const bo = await claimName(store, "Bo");
  await store.connect(bo.token, "i1#a/bo", 8);
  if (room !== "GENERAL") await store.moveToRoom(bo.session.id, room);
  await store.appendRoomMessage({ room, from: { id: bo.session.id, name: "Bo" }, text, at: 1 });
}
