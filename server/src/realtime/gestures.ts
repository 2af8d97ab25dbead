// What participants show each other in a call besides their media: a raised hand (1:1 and group calls;
// kept with the call in the Store, so it crosses instances and survives a reload) and reactions (1:1 and
// group; relayed to the others of the call, never kept). Only a participant of the call may send either.
import { roomChannel, userChannel } from "./channels.js";
import type { RealtimeDeps } from "./deps.js";
import { fail } from "./acks.js";
import type { Events } from "./handler.js";
import { TEXTS } from "../error-texts.js";

export function register(events: Events, deps: RealtimeDeps): void {
  const { io, store } = deps;

  events.on("group:hand", async (socket, { callId, raised }) => {
    const call = await store.setGroupCallHand(socket.data.userId, callId, raised, deps.clock());
    if (!call) return fail("no_call", TEXTS.no_call.none);
    io.to(roomChannel(call.room)).emit("group:state", { room: call.room, call });
    return { ok: true };
  });

  events.on("call:hand", async (socket, { callId, raised }) => {
    const changed = await store.setCallHand(socket.data.userId, callId, raised, deps.clock());
    if (!changed) return fail("no_call", TEXTS.no_call.none);
    const { chat, hands } = changed;
    io.to([userChannel(chat.a.id), userChannel(chat.b.id)]).emit("call:hands", { callId, hands });
    return { ok: true };
  });

  events.on("call:reaction", async (socket, { callId, reaction }) => {
    const me = socket.data.userId;
    // A group call's participants, else the partner of the sender's 1:1 call `callId`.
    let others = await store.groupCallOthers(me, callId);
    if (!others) {
      const partner = await store.callPartner(me, callId);
      others = partner ? [partner] : null;
    }
    if (!others) return fail("no_call", TEXTS.no_call.none);
    const user = { id: me, name: socket.data.session?.name ?? "" };
    if (others.length > 0) io.to(others.map(userChannel)).emit("call:reaction", { callId, user, reaction });
    return { ok: true };
  });
}
