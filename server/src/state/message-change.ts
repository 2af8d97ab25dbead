// Edits, deletes, reactions and reply quotes of kept messages (room and private), for the memory
// Store. The Redis Store's twin is change_message / quote_of in prelude.lua.ts: same rules, same shapes.
import type { ChatMessage, PrivateMessage, ReplyQuote, UserRef } from "@videochat/protocol";
import { MAX_REACTION_USERS } from "@videochat/protocol/schemas";
import { quoteLine } from "@videochat/protocol/text";

/**
 * What a person does to a kept message: `at` is the edit's server time; `max` the cap of distinct
 * reactions; `maxUsers` the cap of reactor entries summed over them (default MAX_REACTION_USERS); `on`
 * sets the reaction (true) or takes it back (false) where a plain react toggles it.
 */
export type MessageChange =
  | { kind: "edit"; text: string; at: number }
  | { kind: "delete" }
  | { kind: "react"; emoji: string; max: number; maxUsers?: number; on?: boolean };

/**
 * Why a change is refused: `no_message` (not kept, already deleted (but for its author's delete
 * again, which answers the deleted message), or a call line that nobody edits), `not_author` (edits
 * and deletes are the author's), `too_many_reactions` (a new emoji past `max`), `too_many_reactors` (a
 * new entry past `maxUsers`).
 */
export type ChangeRefusal = "no_message" | "not_author" | "too_many_reactions" | "too_many_reactors";

/** The answer of a change: the message as it now is, or why not (plus `extra` refusals of the caller). */
export type ChangeResult<M, Extra extends string = never> =
  { ok: true; message: M } | { ok: false; code: ChangeRefusal | Extra };

type Kept = ChatMessage | PrivateMessage;

/** The quote a reply to message `id` carries, or undefined when `history` does not keep it. */
export function quoteIn(history: readonly Kept[], id: number | undefined): ReplyQuote | undefined {
  const original = id === undefined ? undefined : history.find((message) => message.id === id);
  if (!original) return undefined;
  const quote: ReplyQuote = { id: original.id, from: { ...original.from }, text: quoteLine(original.text) };
  return original.deleted ? { ...quote, deleted: true } : quote;
}

/**
 * Applies `change` by `actor` to message `id` of `history`, replacing it (and, for an edit or a
 * delete, the quotes of it in the replies kept there) in place. The changed message, or the refusal.
 */
export function changeIn<M extends Kept>(
  history: M[],
  actor: UserRef,
  id: number,
  change: MessageChange,
): ChangeResult<M> {
  const index = history.findIndex((message) => message.id === id);
  const original = history[index];
  // A delete re-sent by its author (its first ack lost in a failover) finds it done: idempotent.
  if (original?.deleted && change.kind === "delete" && original.from.id === actor.id)
    return { ok: true, message: original };
  if (!original || original.deleted) return { ok: false, code: "no_message" };
  let changed: M;
  if (change.kind === "react") {
    const reactions = toggle(original.reactions ?? [], actor, change);
    if (typeof reactions === "string") return { ok: false, code: reactions };
    const { reactions: _old, ...rest } = original;
    changed = (reactions.length > 0 ? { ...rest, reactions } : rest) as M;
  } else {
    if ("call" in original && original.call) return { ok: false, code: "no_message" };
    if (original.from.id !== actor.id) return { ok: false, code: "not_author" };
    if (change.kind === "edit") changed = { ...original, text: change.text, editedAt: change.at };
    else {
      const { reactions: _r, replyTo: _q, editedAt: _e, ...rest } = original;
      changed = { ...rest, text: "", deleted: true } as M;
    }
    history.forEach((reply, i) => {
      if (reply.replyTo?.id !== id) return;
      const quote: ReplyQuote = { ...reply.replyTo, text: quoteLine(changed.text) };
      const replyTo = changed.deleted ? { ...quote, deleted: true as const } : quote;
      history[i] = { ...reply, replyTo, rev: (reply.rev ?? 0) + 1 };
    });
  }
  changed = { ...changed, rev: (original.rev ?? 0) + 1 };
  history[index] = changed;
  return { ok: true, message: changed };
}

/**
 * `reactions` with `actor`'s `emoji` toggled (or set to `on`); the refusal when a new emoji would pass
 * `max` or a new entry `maxUsers`.
 */
function toggle(
  reactions: NonNullable<Kept["reactions"]>,
  actor: UserRef,
  { emoji, max, maxUsers = MAX_REACTION_USERS, on }: Extract<MessageChange, { kind: "react" }>,
): NonNullable<Kept["reactions"]> | "too_many_reactions" | "too_many_reactors" {
  const existing = reactions.find((reaction) => reaction.emoji === emoji);
  const full = reactions.reduce((sum, reaction) => sum + reaction.users.length, 0) >= maxUsers;
  if (!existing) {
    if (on === false) return reactions;
    if (reactions.length >= max) return "too_many_reactions";
    if (full) return "too_many_reactors";
    return [...reactions, { emoji, users: [{ ...actor }] }];
  }
  const mine = existing.users.some((user) => user.id === actor.id);
  if (on === mine) return reactions;
  if (!mine && full) return "too_many_reactors";
  const users = mine
    ? existing.users.filter((user) => user.id !== actor.id)
    : [...existing.users, { ...actor }];
  return reactions.flatMap((reaction) =>
    reaction !== existing ? [reaction] : users.length > 0 ? [{ emoji, users }] : [],
  );
}

/**
 * What a client that saw up to message `afterId` missed: the messages after it and every kept one
 * rewritten since it was sent (`rev`), which the client puts in place by id. All of `history` without
 * `afterId`.
 */
export function missedSince<M extends { id: number; rev?: number }>(
  history: readonly M[],
  afterId?: number,
): M[] {
  if (afterId === undefined) return [...history];
  return history.filter((message) => message.id > afterId || message.rev !== undefined);
}
