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
