// The memory Store's TURN credential holders: per address, each holder's expiry; expired holders are
// dropped whenever their address is asked about, and addresses with none left at most once a minute.
import type { Immediate } from "../methods.js";
import type { RelaysStore } from "./contract.js";

const SWEEP_MS = 60_000;

export class MemoryRelays implements Immediate<RelaysStore> {
  /** address -> user id -> epoch ms until which their credential works. */
  private readonly holders = new Map<string, Map<string, number>>();
  private nextSweep = 0;

  holdRelay(address: string, userId: string, until: number, max: number, now: number): number | null {
    this.sweep(now);
    let held = this.holders.get(address);
    if (!held) this.holders.set(address, (held = new Map()));
    for (const [holder, expiry] of held) if (expiry <= now) held.delete(holder);
    const mine = held.get(userId);
    if (mine === undefined && held.size >= max) return Math.max(1, Math.min(...held.values()) - now);
    held.set(userId, Math.max(mine ?? 0, until));
    return null;
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + SWEEP_MS;
    for (const [address, held] of this.holders) {
      for (const [holder, expiry] of held) if (expiry <= now) held.delete(holder);
      if (held.size === 0) this.holders.delete(address);
    }
  }
}
