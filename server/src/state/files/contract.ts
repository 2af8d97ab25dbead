// The Store's pending file offers: a file offered peer to peer in a private chat (file:offer) can be
// accepted or declined once, by the other partner, until the offer expires. Only the offer's existence
// is kept, never a byte of the file.
import { methodsOf } from "../methods.js";

/** How long an offer waits for its answer (ms). */
export const FILE_OFFER_TTL_MS = 10 * 60 * 1000;

export interface FilesStore {
  /**
   * Keeps `fromId`'s offer of file `fileId` in private chat `chatId` until `expiresAt` (epoch ms; wall
   * clock, like a Redis PX). An offer of the same id in that chat is replaced.
   */
  keepFileOffer(chatId: string, fileId: string, fromId: string, expiresAt: number): Promise<void>;

  /**
   * Takes the pending offer of `fileId` in `chatId` (it can be answered once): true when there was one,
   * live at `now`, made by someone other than `byId`. With `byId` null (a cancel) any live offer counts.
   * An offer made by `byId` itself is left in place and answers false.
   */
  takeFileOffer(chatId: string, fileId: string, byId: string | null, now: number): Promise<boolean>;
}

/** The names composeStore binds (the compiler keeps this list equal to FilesStore's methods). */
export const filesMethods = methodsOf<FilesStore>()(["keepFileOffer", "takeFileOffer"]);
