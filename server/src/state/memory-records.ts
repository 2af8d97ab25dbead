// The record shapes and small helpers the memory Store's parts share (see memory.ts for how they meet).
import type { PresenceStatus, UserRef } from "@videochat/protocol";
import type { MembershipChange, Session } from "./types.js";

/** What a part of the memory Store needs of the others: live session records and the member refresh. */
export interface SessionHost {
  session(id: string): Session | undefined;
  /** Re-announces a member whose busy/inCall changed; the change, if they are in their room. */
  refresh(session: Session): MembershipChange[];
  /** Whether the session still has this connection attached. */
  connected(id: string, connection: string): boolean;
}

/** A fixed window of a per-user budget. */
export interface Budget {
  used: number;
  /** Epoch ms at which the window ends. */
  resetAt: number;
}

/** Charges one point to `key` in `budgets`; null when within the limit, else the ms until the window ends. */
export function charge(
  budgets: Map<string, Budget>,
  key: string,
  limit: { points: number; windowMs: number },
  now: number,
): number | null {
  let budget = budgets.get(key);
  if (!budget || budget.resetAt <= now) {
    budget = { used: 0, resetAt: now + limit.windowMs };
    budgets.set(key, budget);
  }
  budget.used += 1;
  return budget.used > limit.points ? Math.max(1, budget.resetAt - now) : null;
}

/** A session as the memory Store keeps it: the public fields plus its token and tabs. */
export interface SessionRecord extends Session {
  tokenDigest: string;
  /** The client address the session was claimed from, when its claim counted it (ClaimBudget.sessions). */
  address?: string;
  connections: Set<string>;
  /** The connections that are idle or hidden (a subset of `connections`). */
  idle: Set<string>;
  /** Epoch ms after which the session expires; undefined while a connection is attached. */
  graceDeadline?: number;
}

/** A copy of the record's public fields, safe to hand out of the Store. */
export function toSession(record: SessionRecord): Session {
  const { id, name, room, status, chosen, entered, chatId, groupCallId, nameKey, roomSeq, crowded } = record;
  const session: Session = { id, name, room, status, chosen, entered, nameKey, roomSeq };
  return {
    ...session,
    ...(chatId ? { chatId } : {}),
    ...(groupCallId ? { groupCallId } : {}),
    ...(crowded ? { crowded } : {}),
  };
}

/** The status the room sees: absent while every tab of a session that chose "online" is idle. */
export function effectiveStatus(record: SessionRecord): PresenceStatus {
  if (record.chosen !== "online") return record.chosen;
  const allIdle = record.connections.size > 0 && [...record.connections].every((id) => record.idle.has(id));
  return allIdle ? "absent" : "online";
}

/** The id and name of a session, as messages and chats carry it. */
export const ref = (session: Session): UserRef => ({ id: session.id, name: session.name });

/**
 * Whether `page` is another tab than the one holding a call as `heldPage` (both "<tab>/<page load>",
 * see CallHolder): only the same tab loading a new page is a reload.
 */
export const anotherTab = (heldPage: string, page: string): boolean =>
  heldPage.slice(0, heldPage.indexOf("/") + 1) !== page.slice(0, page.indexOf("/") + 1);

/** Whether `page` ("<tab>/<page load>", see CallHolder) is a page of tab `tab`. */
export const ofTab = (page: string, tab: string): boolean => page.startsWith(`${tab}/`);
