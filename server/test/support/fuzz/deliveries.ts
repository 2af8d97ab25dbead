// Invariants over what was delivered during a run: private and call events reach only the two
// partners of their chat (group call events only people who were in that call, see group.ts), and every acknowledged room message is in its room's history exactly once.
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
    if (found.length !== 1)
      problems.push(`acked message ${acked.id} in ${acked.room} is kept ${found.length} times`);
    else if (found[0]!.text !== acked.text)
      problems.push(`acked message ${acked.id} in ${acked.room} changed text`);
  }
  return problems;
}
