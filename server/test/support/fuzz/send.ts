// Sending one event from a tab, noting the answer and checking it against the contract; and the
// whole call flow (open a chat, ring, answer, signal, hang up) as one step, so that calls get far
// enough under random interleavings for their events to be checked.
import { describe, type Variant } from "./actions.js";
import type { Tab } from "./tabs.js";
import type { Truth } from "./truth.js";

/** An ack or a connection may wait out a Redis pause (at most 2.5 s) on a loaded machine. */
export const ANSWER_MS = 8_000;

export interface Sender {
  truth: Truth;
  tabs: Tab[];
  /** How often each event got each answer ("private:open ok", "call:answer no_call"): coverage. */
  outcomes: Map<string, number>;
  note(line: string): void;
}

/** Emits `event` from `tab`; resolves with the ack, or null when there was none (or no ack asked). */
export async function send(
  world: Sender,
  tab: Tab,
  event: string,
  payload: unknown,
  variant: Variant = "valid",
  withAck = true,
): Promise<any> {
  const socket = tab.socket as any;
  if (!withAck) {
    unanswered(world.truth, event, payload);
    socket.emit(event, payload);
    world.note(`${tab.label} ${event} ${describe(payload)} (no ack)`);
    return null;
  }
  const ack = await socket
    .timeout(ANSWER_MS)
    .emitWithAck(event, payload)
    .catch((error: Error) => ({ lost: error.message }));
  world.note(`${tab.label} ${event} ${describe(payload)} -> ${describe(ack)}`);
  const outcome = `${event} ${"lost" in ack ? "lost" : ack.ok ? "ok" : ack.error?.code}`;
  world.outcomes.set(outcome, (world.outcomes.get(outcome) ?? 0) + 1);
  if ("lost" in ack) {
    unanswered(world.truth, event, payload);
    return null;
  }
  checkAck(world.truth, tab, event, variant, ack);
  return ack;
}

/** An edit or delete whose ack never came may still have been applied. */
function unanswered(truth: Truth, event: string, payload: any): void {
  if (event === "room:edit") truth.mightHaveChanged(payload?.id, payload?.text);
  if (event === "room:delete") truth.mightHaveChanged(payload?.id, null);
}

/** Ack-level rules: the shape of the contract, forged fields refused, identity from the session. */
function checkAck(truth: Truth, tab: Tab, event: string, variant: Variant, ack: any): void {
  const problem = (what: string) =>
    void truth.problems.push(`${tab.label} ${event} (${variant}): ${what}: ${describe(ack)}`);
  if (ack?.ok === false && typeof ack.error?.code === "string" && typeof ack.error.message === "string")
    return;
  if (ack?.ok !== true) return problem("not an ack of the contract");
  if (variant === "forged") problem("a payload with a forged field was accepted");
  if (variant === "oversize") problem("a payload past the frame limit was accepted");
  // A reaction may be on anyone's message; everything else a sender gets back is their own.
  const from = ack.message?.from?.id;
  if (from !== undefined && from !== tab.user.id && !event.endsWith(":react"))
    problem("the message names another sender");
  if (event === "room:message")
    truth.acked.push({ room: ack.message.room, id: ack.message.id, text: ack.message.text });
  if (event === "room:edit" || event === "room:delete") truth.changed(ack.message);
  if (event === "call:invite") tab.calls.push(ack.call.id);
  if (event === "group:start" || event === "group:join") tab.groupCalls.push(ack.call.id);
}

/**
 * A whole call from `caller`: a private chat with someone it sees (unless it has one), a ring, the
 * callee's answer from one of its open tabs, a signal each way, and a hang-up unless `hangup` is false.
 */
export async function callFlow(world: Sender, caller: Tab, accept: boolean, hangup: boolean): Promise<void> {
  if (!caller.chatId) {
    const partner = [...(caller.list?.members.keys() ?? [])].find((id) => id !== caller.user.id);
    if (!partner) return world.note(`call from ${caller.label}: sees nobody to call`);
    await send(world, caller, "private:open", { with: partner });
  }
  const invite = await send(world, caller, "call:invite", {});
  const chat = invite?.ok && world.truth.chats.get(caller.chatId ?? "");
  if (!chat) return;
  const calleeId = chat[0] === caller.user.id ? chat[1] : chat[0];
  const callee = world.tabs.find((tab) => tab.connected && tab.user.id === calleeId);
  if (!callee) return world.note(`call from ${caller.label}: the callee has no open tab`);
  const callId = invite.call.id;
  const answer = await send(world, callee, "call:answer", { callId, accept });
  if (!answer?.ok || !accept) return;
  await Promise.all([
    send(world, caller, "call:signal", { callId, description: { type: "offer", sdp: "v=0\r\n" } }),
    send(world, callee, "call:signal", { callId, candidate: null }),
  ]);
  if (hangup) await send(world, accept ? callee : caller, "call:end", { callId });
}
