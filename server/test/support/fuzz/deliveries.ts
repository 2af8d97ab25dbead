// Invariants over what was delivered during a run: private and call events reach only the two
// partners of their chat (group call events only people who were in that call, see group.ts), and every acknowledged room message is in its room's history exactly once.
import type { ChatMessage, PrivateMessage } from "@videochat/protocol";
import { MAX_REACTIONS } from "@videochat/protocol/schemas";
import { groupDeliveryProblem } from "./group.js";
import type { StoreSnapshot } from "./snapshot.js";
import type { Tab } from "./tabs.js";
import type { Truth } from "./truth.js";

/** Every private:* / call:* event a tab received concerns a chat its user was a partner of. */
export function deliveryProblems(tabs: Tab[], truth: Truth): string[] {
  const problems: string[] = [];
  for (const tab of tabs) {
    const me = tab.user.id;
    for (const { event, payload } of tab.received) {
      const where = `${tab.label} got ${event} ${JSON.stringify(payload).slice(0, 160)}`;
      const group = groupDeliveryProblem(truth, me, event, payload);
      if (group !== undefined) {
        if (group) problems.push(`${where}: ${group}`);
        continue;
      }
      if (event.startsWith("file:")) {
        const file = fileDeliveryProblem(truth, me, payload);
        if (file) problems.push(`${where}: ${file}`);
        continue;
      }
      const chatId: string | undefined = event.startsWith("private:")
        ? (payload.chatId ?? payload.chat?.id)
        : event.startsWith("call:")
          ? truth.calls.get(payload.callId ?? payload.call?.id)
          : undefined;
      if (event === "session:ended") continue;
      const pair = chatId ? truth.chats.get(chatId) : undefined;
      if (!pair) {
        problems.push(`${where}: no chat the Store ever had`);
        continue;
      }
      if (!pair.includes(me)) problems.push(`${where}: outside its pair ${pair.join(" & ")}`);
      const other = pair[0] === me ? pair[1] : pair[0];
      const named: string | undefined = payload.from?.id ?? payload.by?.id;
      if (named !== undefined && !pair.includes(named))
        problems.push(`${where}: names someone outside the pair`);
      if (event === "private:opened" && payload.chat.with.id !== other)
        problems.push(`${where}: opened with the wrong partner`);
      if (event === "call:incoming" && payload.from.id !== other)
        problems.push(`${where}: rings from oneself`);
    }
  }
  return problems;
}

/**
 * A file:* event reaches only someone who was in a private chat, and one naming a person (the offer's
 * `from`, the cancel's `by`) only that person's partner (or that person's own tabs).
 */
function fileDeliveryProblem(truth: Truth, me: string, payload: any): string | null {
  const pairs = [...truth.chats.values()].filter((pair) => pair.includes(me));
  if (pairs.length === 0) return "a file event outside any private chat";
  const named: string | undefined = payload.from?.id ?? payload.by?.id;
  if (named !== undefined && !pairs.some((pair) => pair.includes(named)))
    return "a file event from someone who was never its partner";
  return null;
}

/** Each acknowledged room message is in its room's history once, with its text; ids only grow. */
export function historyProblems(truth: Truth, snap: StoreSnapshot): string[] {
  const problems: string[] = [];
  for (const [room, history] of snap.history) {
    for (let i = 1; i < history.length; i++)
      if (history[i]!.id <= history[i - 1]!.id)
        problems.push(`${room} history out of order or doubled at id ${history[i]!.id}`);
  }
  for (const acked of truth.acked) {
    const found = (snap.history.get(acked.room) ?? []).filter((message) => message.id === acked.id);
    if (found.length === 0 && acked.maybeDeleted) continue;
    if (found.length !== 1)
      problems.push(`acked message ${acked.id} in ${acked.room} is kept ${found.length} times`);
    else if (found[0]!.text !== acked.text && !acked.maybe?.includes(found[0]!.text))
      problems.push(`acked message ${acked.id} in ${acked.room} has another text than its last acked change`);
  }
  return problems;
}

/**
 * What edits, deletes and reactions leave in every kept list (room histories, pair histories): a
 * reaction names each member at most once and someone at all, a message has at most MAX_REACTIONS; a
 * deleted message keeps no text, reaction or quote, and the replies quoting it keep none of its text;
 * an acked delete's text is in no entry of its room that refers to it.
 */
export function messageProblems(truth: Truth, snap: StoreSnapshot): string[] {
  const problems: string[] = [];
  const lists: [string, (ChatMessage | PrivateMessage)[]][] = [...snap.history, ...snap.pairs];
  for (const [where, list] of lists) {
    const deleted = new Set(list.filter((m) => m.deleted).map((m) => m.id));
    for (const message of list) {
      const at = `${where} message ${message.id}`;
      const reactions = message.reactions ?? [];
      if (reactions.length > MAX_REACTIONS) problems.push(`${at} has ${reactions.length} reactions`);
      if (new Set(reactions.map((r) => r.emoji)).size !== reactions.length)
        problems.push(`${at} has one emoji twice`);
      for (const { emoji, users } of reactions) {
        if (users.length === 0) problems.push(`${at}: ${emoji} names nobody`);
        if (new Set(users.map((u) => u.id)).size !== users.length)
          problems.push(`${at}: ${emoji} names a member twice`);
      }
      if (message.deleted && (message.text !== "" || message.reactions || message.replyTo))
        problems.push(`${at} is deleted but keeps ${JSON.stringify(message)}`);
      if (message.replyTo && deleted.has(message.replyTo.id) && message.replyTo.text !== "")
        problems.push(`${at} quotes deleted message ${message.replyTo.id}: "${message.replyTo.text}"`);
    }
  }
  for (const gone of truth.deleted) {
    if (!gone.text) continue;
    for (const message of snap.history.get(gone.room) ?? [])
      if (
        (message.id === gone.id && message.text.includes(gone.text)) ||
        (message.replyTo?.id === gone.id &&
          gone.text.startsWith(message.replyTo.text) &&
          message.replyTo.text)
      )
        problems.push(
          `the text of deleted message ${gone.id} is still in ${gone.room} (message ${message.id})`,
        );
  }
  return problems;
}
