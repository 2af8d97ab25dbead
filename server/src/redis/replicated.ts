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
/** How often the barrier re-reads how many replicas follow the primary (INFO replication). */
const REPLICAS_REFRESH_MS = 1_000;
/**
 * A replica that acknowledged nothing for longer (seconds) no longer counts as following: a machine that
 * died is noticed by the primary only after repl-timeout (60 s). Replicas acknowledge every second;
 * on a busy machine `lag` reads 2 now and then.
 */
const FOLLOWER_LAG_S = 5;

/** What a primary says of itself: its run id and the replicas that follow it (online, acknowledging). */
async function describe(client: Redis): Promise<{ runId: string; replicas: number }> {
  return parseInfo((await client.call("INFO", "server", "replication")) as string);
}

function parseInfo(info: string): { runId: string; replicas: number } {
  const runId = /^run_id:(\w+)/m.exec(info)?.[1] ?? "";
  const replicas = [...info.matchAll(/^slave\d+:.*state=online.*lag=(\d+)/gm)].filter(
    (match) => Number(match[1]) <= FOLLOWER_LAG_S,
  ).length;
  return { runId, replicas };
}

/**
 * Asks the sentinels whether the primary with this run id is being replaced: true when one of them has
 * a failover of it in progress, names another primary, or one does not answer (sentinelWatch in connect.ts).
 */
export type Switching = (runId: string) => Promise<boolean>;

/**
 * Confirms that what `client` wrote so far is on a replica: `WAIT`, again while no replica has it
 * (during a failover the new primary has none until the sentinels re-point one), for up to
 * `timeoutMs` in all. Callers in the same turn of the event loop share one WAIT (group commit: it
 * covers every write sent before it on the connection). Rejects with NotReplicated when the time is up,
 * or when the connection was replaced meanwhile: a WAIT on a new connection says nothing about writes
 * made on the old one (they may have died with the old primary). `markKey` is a counter it may INCR.
 *
 * It waits for every replica that follows the primary closely, not for one: during SENTINEL FAILOVER
 * the replica being promoted leaves the old primary first, and another replica still confirms the old
 * primary's writes until the sentinels re-point it, whereupon it resyncs from the new primary and drops
 * them (measured: 109 of 1049 acked writes lost with two replicas and `WAIT 1`). When fewer replicas
 * confirm than followed, `switching` (the sentinels) says whether one is being promoted: then the
 * writes are refused (retryable) and the connection asks the sentinels again; else a replica went away
 * and the rest suffice.
 */
export function replicaBarrier(
  client: Redis,
  timeoutMs: number,
  markKey: string,
  switching?: Switching,
): () => Promise<void> {
  let connection = 0;
  client.on("close", () => (connection += 1));
  let marked = 0;
  /** The primary this connection reaches, as last read (on `described`), and its close followers. */
  let described = -1;
  let describedAt = 0;
  let primary = { runId: "", replicas: 0 };
  let next: Promise<void> | null = null;
  /**
   * Reconnects, asking the sentinels again. Only from a connection that is up: one already connecting
   * asks them anyway, and ioredis's disconnect() during a Sentinel look-up ends the client for good
   * (status "end": every later command failed with "Connection is closed", seen in the drill).
   */
  const reconnect = () => {
    if (client.status === "ready") client.disconnect(true);
  };
  /** Refuses (and reconnects, asking the sentinels again) while they replace the primary `runId`. */
  const unlessSwitching = async (runId: string) => {
    if (!switching || !(await switching(runId))) return;
    reconnect();
    throw new NotReplicated("a replica left while the sentinels replace the primary");
  };
  const confirm = async (since: number): Promise<void> => {
    // WAIT counts from this connection's last write: on a new connection that may be none, and a
    // WAIT would then confirm nothing of what was read there (e.g. a kept message found on re-send).
    // One write first makes it cover everything the new primary holds.
    if (marked !== connection) {
      await client.incr(markKey);
      marked = since;
    }
    if (described !== since || Date.now() - describedAt > REPLICAS_REFRESH_MS) {
      const seen = await describe(client);
      // The same primary with fewer followers, on this connection or a new one (a reconnect may land
      // on it again while the sentinels still name it): ask before trusting the rest.
      if (seen.runId === primary.runId && seen.replicas < primary.replicas) await unlessSwitching(seen.runId);
      primary = seen;
      described = since;
      describedAt = Date.now();
    }
    const giveUpAt = Date.now() + timeoutMs;
    for (;;) {
      const want = Math.max(1, primary.replicas);
      // Who follows, read right after the WAIT in the same round trip.
      const [[waitError, confirmed], [infoError, info]] = (await client
        .pipeline()
        .call("WAIT", want, WAIT_STEP_MS)
        .call("INFO", "server", "replication")
        .exec()) as [[Error | null, unknown], [Error | null, unknown]];
      if (connection !== since)
        throw new NotReplicated("the primary connection broke before a replica confirmed");
      if (waitError ?? infoError) throw waitError ?? infoError;
      const replicas = confirmed as number;
      const followers = parseInfo(info as string).replicas;
      if (replicas >= want && followers > replicas) {
        // A replica began following since the last look (a node back after a failover, resynced in
        // full) and has not confirmed yet; the sentinels may promote it next: wait for it too. Seen in
        // the drill: a node promoted 0.8 s after its resync lacked 19 acked messages.
        primary.replicas = followers;
        if (Date.now() >= giveUpAt) throw new NotReplicated(`no replica confirmed within ${timeoutMs} ms`);
        continue;
      }
      if (replicas >= want) return;
      if (replicas >= 1) {
        await unlessSwitching(primary.runId);
        primary.replicas = replicas; // one went away; the next refresh says who follows now
        return;
      }
      // No replica: this may be a primary the sentinels replaced, which keeps its clients and still
      // calls itself master until they demote it (up to ~10 s later): reconnect, asking them again.
      reconnect();
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
