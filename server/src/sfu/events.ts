// The socket events of SFU calls: the browser's side of the VideoRoom, relayed by the server. Only a
// participant of the call (checked in the Store) gets a place; every later event must come from the
// socket that holds that place. Payloads are validated and limited at the edge (handler.ts).
import { fail } from "../realtime/acks.js";
import type { Events } from "../realtime/handler.js";
import type { AppSocket, RealtimeDeps } from "../realtime/deps.js";

const NO_SFU = fail("sfu_unavailable", "Group calls here have no SFU, or none can take the call now.");
const NOT_HERE = fail("no_call", "You are not in that call's media: join it first.");

export function register(events: Events, deps: RealtimeDeps): void {
  const { store, sfu } = deps;
  if (!sfu) return;

  events.on("sfu:join", async (socket, { callId }) => {
    const room = socket.data.session?.room;
    const call = room ? await store.groupCallOf(room) : null;
    const me = socket.data.userId;
    if (!room || call?.id !== callId || !call.participants.some((p) => p.id === me))
      return fail("no_call", "That call has ended, or you are not in it.");
    return (await sfu.join(socket, callId, room)) ? { ok: true } : NO_SFU;
  });

  events.on("sfu:publish", async (socket, { callId, description, screenMid }) => {
    const held = sfu.participant(socket.id, callId);
    if (!held) return NOT_HERE;
    return { ok: true, description: await held.publish(description, screenMid) };
  });

  events.on("sfu:answer", async (socket, { callId, description }) => {
    const held = sfu.participant(socket.id, callId);
    if (!held) return NOT_HERE;
    await held.answer(description);
    return { ok: true };
  });

  events.on("sfu:trickle", async (socket, { callId, target, candidate }) => {
    const held = sfu.participant(socket.id, callId);
    if (!held) return NOT_HERE;
    await held.trickle(target, candidate);
    return { ok: true };
  });

  events.on("sfu:restart", async (socket, { callId }) => {
    const held = sfu.participant(socket.id, callId);
    if (!held) return NOT_HERE;
    held.restartIce();
    return { ok: true };
  });
}

/** A socket that goes leaves its VideoRoom at once (its feed disappears for everyone). */
export function attach(socket: AppSocket, deps: Pick<RealtimeDeps, "sfu">): void {
  if (deps.sfu) socket.on("disconnect", () => void deps.sfu?.leaveSocket(socket.id));
}
