// The memory Store's pending file offers, each with its deadline; expired ones are swept at most once
// per SWEEP_MS, on any call, so a long-running instance does not grow.
import type { Immediate } from "../methods.js";
import type { FilesStore } from "./contract.js";

const SWEEP_MS = 60_000;

interface Offer {
  fromId: string;
  expiresAt: number;
}

export class MemoryFiles implements Immediate<FilesStore> {
  /** `<chat id> <file id>` -> the offer. */
  private readonly offers = new Map<string, Offer>();
  private nextSweep = 0;

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + SWEEP_MS;
    for (const [key, offer] of this.offers) if (offer.expiresAt <= now) this.offers.delete(key);
  }

  keepFileOffer(chatId: string, fileId: string, fromId: string, expiresAt: number): void {
    this.sweep(Date.now());
    this.offers.set(`${chatId} ${fileId}`, { fromId, expiresAt });
  }

  takeFileOffer(chatId: string, fileId: string, byId: string | null, now: number): boolean {
    this.sweep(now);
    const key = `${chatId} ${fileId}`;
    const offer = this.offers.get(key);
    if (!offer || offer.expiresAt <= now || offer.fromId === byId) return false;
    this.offers.delete(key);
    return true;
  }
}
