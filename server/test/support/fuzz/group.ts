// The fuzz suite's group-call invariants: what the Store holds about each call agrees with its
// participants' sessions and its room, nothing outlives the call or its deadline, and group events
// reach only people the Store ever had in that call. And a whole group call as one fuzz step, so that
// calls get far enough under random interleavings for their events to be checked.
import { send, type Sender } from "./send.js";
import type { StoreSnapshot } from "./snapshot.js";
import type { Tab } from "./tabs.js";
import type { Truth } from "./truth.js";

/**
 * A call is its room's one call, with participants (at most `max`, each once) whose sessions say they
 * are in it, from that room; what it keeps per participant (holder, media, invitation) belongs to the
 * call's people; an invitation rings no longer than its deadline; a session's call exists and has it.
 */
export function groupCallProblems(snap: StoreSnapshot, ringTimeoutMs: number): string[] {
  const problems: string[] = [];
  const nameOf = (id: string) => snap.sessions.get(id)?.name ?? id;
  for (const [id, call] of snap.gcalls) {
    const order = snap.gcallOrder.get(id) ?? [];
    const where = `group call ${id} in ${call.room}`;
    if (order.length === 0) problems.push(`${where} has nobody in it`);
    if (new Set(order).size !== order.length) problems.push(`${where} lists someone twice: ${order}`);
    if (order.length > Number(call.max)) problems.push(`${where} has ${order.length} of ${call.max}`);
    if (snap.roomCalls.get(call.room!) !== id) problems.push(`${where} is not its room's call`);
    for (const uid of order) {
      const session = snap.sessions.get(uid);
      if (session?.groupCallId !== id) problems.push(`${where} lists ${nameOf(uid)}, who is not in it`);
      else if (session.room !== call.room)
        problems.push(`${where} holds ${nameOf(uid)} from ${session.room}`);
    }
    for (const [part, kept] of [
      ["holder", snap.gcallHolders.get(id)],
      ["media state", snap.gcallMedia.get(id)],
    ] as const)
      for (const uid of kept?.keys() ?? [])
        if (!order.includes(uid)) problems.push(`${where} keeps a ${part} of ${nameOf(uid)}, not in it`);
    for (const invitee of snap.gcallInvites.get(id)?.keys() ?? [])
      if (!snap.invites.has(`${id}|${invitee}`)) problems.push(`${where} invites ${nameOf(invitee)} forever`);
  }
  for (const [room, id] of snap.roomCalls)
    if (snap.gcalls.get(id)?.room !== room)
      problems.push(`${room} points at group call ${id}, which is gone`);
  for (const [entry, due] of snap.invites) {
    const [id] = entry.split("|");
    if (!snap.gcalls.has(id!)) problems.push(`invitation ${entry} outlived its call`);
    if (due < snap.at - ringTimeoutMs) problems.push(`invitation ${entry} rings past its deadline (${due})`);
  }
  for (const [uid, session] of snap.sessions) {
    const id = session.groupCallId;
    if (id && !snap.gcallOrder.get(id)?.includes(uid))
      problems.push(`${session.name} is in group call ${id}, which does not have them`);
  }
  return problems;
}

/**
 * Whether a group event a tab got reached someone it may: undefined when the event is not about a
 * group call, "" when it is fine, else what is wrong. Signals and media states go between people the
 * Store had in the call; an invitation names a participant; a declined one goes to inviter or invitee.
 */
export function groupDeliveryProblem(
  truth: Truth,
  me: string,
  event: string,
  payload: any,
): string | undefined {
  const callId: string | undefined = payload.callId ?? payload.call?.id;
  const people = callId === undefined ? undefined : truth.groupCalls.get(callId);
  if (!event.startsWith("group:") && !people) return undefined;
  if (!people) return "no group call the Store ever had";
  const from: string | undefined =
    event === "group:signal"
      ? payload.peer
      : event === "call:media" || event === "call:participant"
        ? payload.user?.id
        : payload.from?.id;
  // A reloaded page told it still holds its own place.
  if (event === "call:held") return people.has(me) ? "" : "told it holds a place in a call it was never in";
  if (event === "group:declined")
    return payload.by?.id === me || people.has(me) ? "" : "a declined invitation told someone else";
  if (event === "group:invited") return from && people.has(from) ? "" : "rung by someone not in the call";
  if (!people.has(me)) return "reached someone never in the call";
  return from && people.has(from) && from !== me ? "" : "comes from someone not in the call";
}

/**
 * A group call from `starter`: it joins the room's call if it knows one, else starts one; up to `size`
 * other users' open tabs in the same room join; each newcomer signals everyone before it; the starter
 * tells its media state and rings someone left out; with `leave`, everyone who joined leaves again.
 */
export async function groupFlow(world: Sender, starter: Tab, size: number, leave: boolean): Promise<void> {
  const room = starter.list?.room;
  const known = starter.groupCalls.at(-1);
  let ack = known ? await send(world, starter, "group:join", { callId: known }) : null;
  if (!ack?.ok) ack = await send(world, starter, "group:start", {});
  if (!ack?.ok) return;
  const callId: string = ack.call.id;
  const joined: Tab[] = [starter];
  const users = new Set([starter.user.id]);
  for (const tab of world.tabs) {
    if (joined.length > size || !tab.connected || users.has(tab.user.id) || tab.list?.room !== room) continue;
    users.add(tab.user.id);
    const answer = await send(world, tab, "group:join", { callId });
    if (!answer?.ok) continue;
    await Promise.all(
      joined.map((peer) =>
        send(world, tab, "group:signal", {
          callId,
          peer: peer.user.id,
          description: { type: "offer", sdp: "v=0\r\n" },
        }),
      ),
    );
    joined.push(tab);
  }
  await send(world, starter, "call:media", { audio: false, video: true, screen: joined.length > 2 });
  const outside = [...(starter.list?.members.keys() ?? [])].find((id) => !users.has(id));
  if (outside) await send(world, starter, "group:invite", { with: outside });
  if (leave) await Promise.all(joined.map((tab) => send(world, tab, "group:leave", {})));
}
