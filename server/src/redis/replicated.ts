// Acknowledged means replicated: with Sentinel, a Store call resolves only once its writes are on a
// replica too (WAIT), so a failover cannot lose what a client was told had happened.
import type { Redis } from "ioredis";

/** How soon a refused write may be sent again: a Sentinel failover takes a second or two. */
export const UNAVAILABLE_RETRY_MS = 500;

/** A write that no replica confirmed in time, or whose connection broke before one did: retryable. */
export class NotReplicated extends Error {
  /** What the Store call answered on the primary before the confirmation failed. */
  answer?: unknown;

  constructor(reason: string) {
    super(reason);
    this.name = "NotReplicated";
  }
}

/**
 * Redis errors of a primary that is going or gone: nothing was acknowledged, so the client may send
 * again (the SPA does, by itself). Also a single Redis that is away: same meaning, same answer.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof NotReplicated) return true;
  if (!(error instanceof Error)) return false;
  if (error.name === "MaxRetriesPerRequestError") return true;
  return /^(READONLY|NOREPLICAS|LOADING|MASTERDOWN|TRYAGAIN)\b|Connection is closed|Stream isn't writeable|Command timed out/.test(
    error.message,
  );
}

/** Each WAIT's own bound: short, so a connection that breaks is noticed between two of them. */
const WAIT_STEP_MS = 250;

/**
 * Confirms that what `client` wrote so far is on a replica: `WAIT 1`, again while no replica has it
 * (during a failover the new primary has none until the sentinels re-point one), for up to
 * `timeoutMs` in all. Callers in the same turn of the event loop share one WAIT (group commit: it
 * covers every write sent before it on the connection). Rejects with NotReplicated when the time is up,
 * or when the connection was replaced meanwhile: a WAIT on a new connection says nothing about writes
 * made on the old one (they may have died with the old primary). `markKey` is a counter it may INCR.
 */
export function replicaBarrier(client: Redis, timeoutMs: number, markKey: string): () => Promise<void> {
  let connection = 0;
  client.on("close", () => (connection += 1));
  let marked = 0;
  let next: Promise<void> | null = null;
  const confirm = async (since: number): Promise<void> => {
    // WAIT counts from this connection's last write: on a new connection that may be none, and a
    // WAIT would then confirm nothing of what was read there (e.g. a kept message found on re-send).
    // One write first makes it cover everything the new primary holds.
    if (marked !== connection) {
      await client.incr(markKey);
      marked = since;
    }
    const giveUpAt = Date.now() + timeoutMs;
    for (;;) {
      const replicas = (await client.call("WAIT", 1, WAIT_STEP_MS)) as number;
      if (connection !== since)
        throw new NotReplicated("the primary connection broke before a replica confirmed");
      if (replicas >= 1) return;
      // No replica: this may be a primary the sentinels replaced, which keeps its clients and still
      // calls itself master until they demote it (up to ~10 s later): reconnect, asking them again.
      client.disconnect(true);
      if (Date.now() >= giveUpAt) throw new NotReplicated(`no replica confirmed within ${timeoutMs} ms`);
    }
  };
  return () => {
    const since = connection; // this batch's writes were made on this connection
    next ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      next = null; // callers from here on wrote after this WAIT was sent: they need the next one
      return confirm(since);
    });
    return next;
  };
}

/** Health asks whether Redis answers, not whether a replica does; closing writes nothing. */
const UNGUARDED = new Set<string | symbol>(["ping", "close"]);

/**
 * `store` with every method that returns a promise followed by `barrier()` before it resolves: the
 * Store's writes and the WAIT go over the one connection the Store owns, so the barrier covers them.
 */
export function replicated<T extends object>(store: T, barrier: () => Promise<void>): T {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || UNGUARDED.has(property)) return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.then(async (answer: unknown) => {
          try {
            await barrier();
          } catch (error) {
            if (!(error instanceof NotReplicated)) throw error;
            // The batch shares one error: each caller gets its own, with its own answer.
            const refused = new NotReplicated(error.message);
            refused.answer = answer;
            throw refused;
          }
          return answer;
        });
      };
    },
  });
}
