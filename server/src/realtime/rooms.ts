// Switching rooms: one Store step moves the user and reads the new room; both rooms are told, every tab gets its state.
import { announceJoined, announceLeft, confirmState, stateOf } from "./announce.js";
import { userChannel } from "./channels.js";
import type { RealtimeDeps } from "./deps.js";
import { followRoom } from "./follow.js";
import { announceLeftCall } from "./group.js";
import { fail } from "./acks.js";
import type { Events } from "./handler.js";
import { announceClosed } from "./private.js";
import { TEXTS } from "../error-texts.js";

export function register(events: Events, deps: RealtimeDeps): void {
  const { io, store, config } = deps;

  events.on("room:join", async (socket, { room }) => {
    if (!config.rooms.includes(room)) return fail("unknown_room", TEXTS.unknown_room(room));
    const move = await store.moveToRoom(socket.data.userId, room);
    if (!move) return fail("session_unknown", TEXTS.session_unknown.ended);
    const { session } = move;
    // The Store closed the mover's private chat (and its call) in the same step as the move.
    if (move.closedChat)
      announceClosed(deps, move.closedChat, { id: session.id, name: session.name }, "left_room");
    if (move.leftCall) await announceLeftCall(deps, move.leftCall);
    if (move.left) announceLeft(deps, move.left, "moved", room);
    // Every connection of this user (any instance) follows the move, newest move winning.
    followRoom(deps, session);
    if (move.joined) announceJoined(deps, move.joined);
    // The Store read the room in the move's own step: no second round trip before the state.
    const tabs = io.to(userChannel(session.id));
    const state = stateOf(room, session.roomSeq, move.view);
    tabs.emit("room:state", state);
    confirmState(deps, socket, (fresh) => tabs.emit("room:state", fresh), state);
    return { ok: true, room };
  });
}
