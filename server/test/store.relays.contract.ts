// The Store contract for TURN credential holders per client address: at most `max` users from one
// address hold live credentials; a holder asking again counts once; only a credential's expiry frees its
// holder's place (a session's end does not: the credential still works).
// Run against every implementation (see store.test.ts), so both Stores keep the same semantics.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../src/state/store.js";

export function storeRelaysContract(name: string, makeStore: () => Promise<Store>) {
  describe(`Store contract (relays): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const address = "203.0.113.7";

    it("lets `max` users of one address hold credentials, refuses the next with the wait, not another address", async () => {
      const now = Date.now();
      const hour = now + 3_600_000;
      expect(await store.holdRelay(address, "u1", hour, 2, now)).toBeNull();
      expect(await store.holdRelay(address, "u2", hour + 1000, 2, now)).toBeNull();
      // A holder asking again (fresh credentials for an ICE restart) counts once.
      expect(await store.holdRelay(address, "u1", hour + 2000, 2, now + 5)).toBeNull();
      const wait = await store.holdRelay(address, "u3", hour, 2, now + 10);
      // The first place frees when u2's credential expires (u1's moved later).
      expect(wait).toBe(hour + 1000 - (now + 10));
      expect(await store.holdRelay("2001:db8:1::/64", "u3", hour, 2, now + 10)).toBeNull();
      // A refused user holds nothing: still refused, and the others still hold theirs.
      expect(await store.holdRelay(address, "u3", hour, 2, now + 20)).not.toBeNull();
      expect(await store.holdRelay(address, "u2", hour + 3000, 2, now + 20)).toBeNull();
    });

    it("keeps a holder's place after their session ends, until the credential expires: it still works", async () => {
      const now = Date.now();
      const claimed = await store.createSession({
        name: "Leaver",
        nameKey: "leaver",
        room: "GENERAL",
        graceDeadline: now + 60_000,
      });
      if (!claimed.ok) throw new Error("claim refused");
      const leaver = claimed.session.id;
      expect(await store.holdRelay(address, leaver, now + 60_000, 1, now)).toBeNull();
      const left = await store.leaveSession(leaver, { points: 5, windowMs: 60_000 }, now + 10);
      expect(left.ok && left.ended?.session.id).toBe(leaver);
      // The next user of the address waits out the leaver's credential, to the ms; then the place is theirs.
      expect(await store.holdRelay(address, "u2", now + 120_000, 1, now + 20)).toBe(60_000 - 20);
      expect(await store.holdRelay(address, "u2", now + 120_000, 1, now + 60_000)).toBeNull();
    });

    it("frees a holder's place when its credential expires", async () => {
      const now = Date.now();
      expect(await store.holdRelay(address, "u1", now + 1000, 1, now)).toBeNull();
      expect(await store.holdRelay(address, "u2", now + 5000, 1, now + 10)).toBe(990);
      // At the expiry (the clock is an argument: no waiting), the place is u2's.
      expect(await store.holdRelay(address, "u2", now + 5000, 1, now + 1000)).toBeNull();
      expect(await store.holdRelay(address, "u1", now + 6000, 1, now + 1000)).toBe(4000);
    });
  });
}
