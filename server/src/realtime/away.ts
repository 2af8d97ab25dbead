// Marks a participant's place in a call away (its holding connection closed) and tells the others, who
// show "<name> is reconnecting…" until the place is held again or its grace ends (places.ts).
import type { DepartReason } from "@videochat/protocol";
import type { CallPresence } from "../state/store.js";
import { userChannel } from "./channels.js";
import type { RealtimeDeps } from "./deps.js";

type AwayDeps = Pick<RealtimeDeps, "io" | "store" | "config" | "clock" | "deadlineAt">;

/** Tells the other participants that `presence.user`'s place is away or back. */
export function tellOthers(deps: Pick<RealtimeDeps, "io">, presence: CallPresence, state: "away" | "back") {
  if (presence.others.length === 0) return;
  const { callId, user, rejoined } = presence;
  deps.io
    .to(presence.others.map(userChannel))
    .emit("call:participant", { callId, user, state, ...(state === "back" ? { rejoined } : {}) });
}

/**
 * The connection `connection` of `userId` closed; if it held their place in their group call (`kind`
 * "group") or 1:1 call ("private"), the place is away until the grace ends: CLOSED_TAB_GRACE_MS when
 * the page closed it (`why` "left"), CALL_GRACE_MS when it was lost. The others are told.
 */
export async function markAway(
  deps: AwayDeps,
  kind: "group" | "private",
  userId: string,
  connection: string,
  why: DepartReason,
): Promise<void> {
  const { config, store } = deps;
  const deadline = deps.clock() + (why === "left" ? config.closedTabGraceMs : config.callGraceMs);
  const away =
    kind === "group"
      ? await store.awayFromGroupCall(userId, connection, deadline, why)
      : await store.awayFromCall(userId, connection, deadline, why);
  if (!away) return;
  deps.deadlineAt?.(deadline);
  tellOthers(deps, away, "away");
}
