// Files sent peer to peer in a private chat: the server relays the offer, the answer, the signalling of
// the transfer's own peer connection and a cancel between the two partners, and never sees a byte of
// the file (it goes over an RTCDataChannel between the browsers). Only a pending offer is stored, so that
// an answer (which hands out TURN credentials) needs an offer from the partner, answered once.
import { userChannel } from "./channels.js";
import type { RealtimeDeps } from "./deps.js";
import { fail } from "./acks.js";
import type { Events } from "./handler.js";
import { iceConfigFor } from "./ice.js";
import { partnerOf } from "./private.js";
import { TEXTS } from "../error-texts.js";
import { FILE_OFFER_TTL_MS } from "../state/store.js";

const NO_CHAT = fail("no_private_chat", TEXTS.no_private_chat.none);
const NO_OFFER = fail("no_file_offer", TEXTS.no_file_offer);

export function register(events: Events, deps: RealtimeDeps): void {
  const { io, store, config, clock } = deps;

  /** The sender's private chat: its own ref, the partner's, and both partners' channels. */
  async function currentChat(me: string) {
    const session = await store.getSession(me);
    const chat = session?.chatId ? await store.getPrivateChat(session.chatId) : null;
    if (!chat) return null;
    const partner = partnerOf(chat, me);
    return {
      id: chat.id,
      self: chat.a.id === me ? chat.a : chat.b,
      partner: userChannel(partner.id),
      both: [userChannel(chat.a.id), userChannel(chat.b.id)],
    };
  }

  events.on("file:offer", async (socket, offer) => {
    if (offer.size > config.fileMaxBytes)
      return fail("file_too_large", TEXTS.file_too_large(Math.floor(config.fileMaxBytes / 1024 / 1024)));
    const chat = await currentChat(socket.data.userId);
    if (!chat) return NO_CHAT;
    // ICE servers for one side of a transfer: only for a member of a private chat that sends or accepts,
    // with a credential that lasts a transfer (FILE_TURN_TTL_S), not a call's hour.
    const ice = await iceConfigFor(socket, deps, config.ice.fileTurnTtlSeconds);
    if (!ice.ok) return ice;
    await store.keepFileOffer(chat.id, offer.fileId, socket.data.userId, clock() + FILE_OFFER_TTL_MS);
    io.to(chat.partner).emit("file:offered", { ...offer, from: chat.self });
    return ice;
  });

  events.on("file:answer", async (socket, { fileId, accept }) => {
    const chat = await currentChat(socket.data.userId);
    if (!chat) return NO_CHAT;
    // Only the partner's pending offer can be answered, once: no TURN credentials without one.
    if (!(await store.takeFileOffer(chat.id, fileId, socket.data.userId, clock()))) return NO_OFFER;
    // Accepting needs ICE servers: when the address holds its share of relays already, the offer
    // (taken) counts as declined, and the answerer is told why.
    const ice = accept ? await iceConfigFor(socket, deps, config.ice.fileTurnTtlSeconds) : null;
    io.to(chat.both).emit("file:answered", { fileId, accept: accept && !!ice?.ok });
    return ice ?? { ok: true };
  });

  events.on("file:signal", async (socket, signal) => {
    const chat = await currentChat(socket.data.userId);
    if (!chat) return NO_CHAT;
    io.to(chat.partner).emit("file:signal", signal);
    return { ok: true };
  });

  events.on("file:cancel", async (socket, { fileId }) => {
    const chat = await currentChat(socket.data.userId);
    if (!chat) return NO_CHAT;
    // A cancelled offer cannot be accepted any more (mid-transfer there is none left to take).
    await store.takeFileOffer(chat.id, fileId, null, clock());
    io.to(chat.both).emit("file:cancelled", { fileId, by: chat.self });
    return { ok: true };
  });
}
