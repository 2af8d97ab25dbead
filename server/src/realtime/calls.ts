// 1:1 calls inside a private chat: ringing with a timeout, answer, signalling relay, hang-up.
// Signalling goes only to the partner of the sender's current call; the server never reads SDP.
import { userChannel } from "./channels.js";
import type { AppSocket, RealtimeDeps } from "./deps.js";
import { fail } from "./acks.js";
import type { Events } from "./handler.js";
import { iceConfigFor } from "./ice.js";
import { ringLimited } from "./limits.js";
import { markAway } from "./away.js";
import { partnerOf } from "./private.js";
import type { UserRef } from "@videochat/protocol";
import type { PrivateChatRecord } from "../state/store.js";
import { TEXTS } from "../error-texts.js";
import { refuseIfUnavailable } from "./reach.js";

const NO_CALL = fail("no_call", TEXTS.no_call.ended);

type CallLineDeps = Pick<RealtimeDeps, "io" | "store" | "clock">;

/**
 * Keeps a call that did not happen as a line in the chat's history ("Missed call from Cy"), for both
 * partners and for a reload; `caller` is who rang.
 */
async function keepCallLine(
  deps: CallLineDeps,
  chat: PrivateChatRecord,
  caller: UserRef,
  call: "missed" | "declined",
) {
  const line = await deps.store.appendPrivateMessage(chat.id, {
    from: caller,
    text: call === "missed" ? "Missed call" : "Declined call",
    at: deps.clock(),
    call,
  });
  if (line) deps.io.to([userChannel(chat.a.id), userChannel(chat.b.id)]).emit("private:message", line);
}

/** Ends every call that rang past its deadline (each exactly once, cluster-wide) and tells both sides. */
export async function fireMissedCalls(deps: Pick<RealtimeDeps, "io" | "store" | "clock" | "logger">) {
  try {
    for (;;) {
      const missed = await deps.store.takeMissedCalls(deps.clock(), 100);
      for (const { chat, callId, callerId } of missed) {
        deps.io
          .to([userChannel(chat.a.id), userChannel(chat.b.id)])
          .emit("call:ended", { callId, reason: "missed" });
        await keepCallLine(deps, chat, chat.a.id === callerId ? chat.a : chat.b, "missed");
      }
      if (missed.length < 100) return;
    }
  } catch (error) {
    deps.logger.error({ err: error }, "missed-call sweep failed");
  }
}

export function register(events: Events, deps: RealtimeDeps): void {
  const { io, store, config, clock } = deps;
  /**
   * This page holds the side of the call it started or accepted (see keepOrEndCall). Not stored, the
   * call only loses its reload check: the call itself (already changed in the Store) must still be told.
   */
  const hold = (socket: AppSocket, callId: string) =>
    store
      .holdCall(socket.data.userId, callId, { page: socket.data.page, connection: deps.connectionId(socket) })
      // The page may have closed while this ran: its disconnect found no place to mark away.
      .then(async () => {
        if (!socket.connected)
          await markAway(deps, "private", socket.data.userId, deps.connectionId(socket), "left");
      })
      .catch((error: unknown) =>
        deps.logger.warn({ err: error, userId: socket.data.userId, callId }, "call hold not stored"),
      );

  /** The sender's chat, if any, with both partners' channels for fan-out. */
  async function currentChat(me: string) {
    const session = await store.getSession(me);
    const chat = session?.chatId ? await store.getPrivateChat(session.chatId) : null;
    return chat && { chat, both: io.to([userChannel(chat.a.id), userChannel(chat.b.id)]) };
  }

  events.on("call:invite", async (socket) => {
    const me = socket.data.userId;
    const current = await currentChat(me);
    if (!current) return fail("no_private_chat", TEXTS.no_private_chat.open);
    const { chat } = current;
    const refused = await refuseIfUnavailable(deps, me, partnerOf(chat, me).id, "call");
    if (refused) return refused;
    const ringWait = await deps.limits.chargeRing(partnerOf(chat, me).id, socket.data.address);
    if (ringWait !== null) return ringLimited(partnerOf(chat, me).name, ringWait);
    const started = await store.startCall(chat.id, me, clock() + config.callRingTimeoutMs);
    if (!started.ok) return fail(started.code, TEXTS.call_exists.private);
    const { call } = started;
    await hold(socket, call.id);
    const caller = chat.a.id === me ? chat.a : chat.b;
    io.to(userChannel(partnerOf(chat, me).id)).emit("call:incoming", { call, from: caller });
    // The ring deadline is data in the Store, fired by every instance's reaper; this timer is only a
    // shortcut to the same check, so the caller's instance dying changes nothing.
    setTimeout(() => void fireMissedCalls(deps), config.callRingTimeoutMs + 1).unref();
    return { ok: true, call };
  });

  events.on("call:answer", async (socket, { callId, accept }) => {
    const me = socket.data.userId;
    const current = await currentChat(me);
    if (!current) return NO_CALL;
    const call = await store.answerCall(current.chat.id, me, callId, accept);
    if (!call) return NO_CALL;
    if (accept) await hold(socket, callId);
    if (accept) current.both.emit("call:answered", { callId, accept: true });
    else {
      current.both.emit("call:ended", { callId, reason: "declined" });
      await keepCallLine(deps, current.chat, partnerOf(current.chat, me), "declined");
    }
    return { ok: true };
  });

  events.on("call:signal", async (socket, signal) => {
    const me = socket.data.userId;
    const partnerId = await store.callPartner(me, signal.callId);
    if (!partnerId) return NO_CALL;
    io.to(userChannel(partnerId)).emit("call:signal", signal);
    return { ok: true };
  });

  events.on("call:end", async (socket, { callId }) => {
    const me = socket.data.userId;
    const current = await currentChat(me);
    if (!current || !(await store.endCall(current.chat.id, callId))) return NO_CALL;
    current.both.emit("call:ended", { callId, reason: "hangup" });
    return { ok: true };
  });

  // A TURN credential is a relay anyone holding it can use until it expires: only someone in a call,
  // or entering one (ringing, being rung, joined), gets one, fresh at each ask (before the call and at
  // each ICE restart). Once the session left the call (or its session ended) there is none to get.
  events.on("call:ice-servers", async (socket) => {
    const me = socket.data.userId;
    const session = await store.getSession(me);
    const chat = !session?.groupCallId && session?.chatId ? await store.getPrivateChat(session.chatId) : null;
    if (!session?.groupCallId && !chat?.call) return fail("no_call", "Join or start a call first.");
    const ice = await iceConfigFor(socket, deps);
    if (!ice.ok) return ice;
    return { ...ice, sfu: config.janus.urls.length > 0 }; // group calls go through Janus (docs/sfu.md)
  });
}
