// The Store contract for pending file offers: answered once, only by the other partner, until expiry.
// Run against every implementation (see store.test.ts), so both Stores keep the same semantics.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../src/state/store.js";

export function storeFilesContract(name: string, makeStore: () => Promise<Store>) {
  describe(`Store contract (files): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it("lets the other partner take a live offer once, never its sender", async () => {
      const now = Date.now();
      expect(await store.takeFileOffer("chat-1", "file-1", "ben", now)).toBe(false);
      await store.keepFileOffer("chat-1", "file-1", "ana", now + 60_000);
      // Not the sender, not another chat's, not another file's.
      expect(await store.takeFileOffer("chat-1", "file-1", "ana", now)).toBe(false);
      expect(await store.takeFileOffer("chat-2", "file-1", "ben", now)).toBe(false);
      expect(await store.takeFileOffer("chat-1", "file-2", "ben", now)).toBe(false);
      expect(await store.takeFileOffer("chat-1", "file-1", "ben", now)).toBe(true);
      expect(await store.takeFileOffer("chat-1", "file-1", "ben", now)).toBe(false);
      // A cancel (by anyone) takes it too.
      await store.keepFileOffer("chat-1", "file-3", "ana", now + 60_000);
      expect(await store.takeFileOffer("chat-1", "file-3", null, now)).toBe(true);
      expect(await store.takeFileOffer("chat-1", "file-3", "ben", now)).toBe(false);
    });

    it("forgets an offer at its deadline", async () => {
      const deadline = Date.now() + 300;
      await store.keepFileOffer("chat-1", "file-1", "ana", deadline);
      await store.keepFileOffer("chat-1", "file-2", "ana", deadline);
      expect(await store.takeFileOffer("chat-1", "file-1", "ben", Date.now())).toBe(true);
      // Time itself is the state waited for: the deadline has passed on this machine's clock.
      await expect.poll(() => Date.now(), { timeout: 5000, interval: 20 }).toBeGreaterThan(deadline + 20);
      expect(await store.takeFileOffer("chat-1", "file-2", "ben", Date.now())).toBe(false);
    });
  });
}
