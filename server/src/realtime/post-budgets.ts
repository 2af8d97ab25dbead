// Room-message budgets off the message's path: each instance keeps its own view of each sender's
// budget (the room-message family), refuses on it at once, and charges the Store in batches, whose
// answers (the cluster's use) correct the view. One instance alone counts exactly (its view holds
// every point it took). The bound this costs, for a user with tabs on N instances: an instance learns
// the others' use when it charges its own, at `burst` messages (or the timer), so at a person's pace
// (slower than a charge's round trip) a window takes at most points + (N − 1) × burst; a flood faster
// than the round trip, at most N × points (each instance refuses past points on its own count).
import type { Logger } from "../logger.js";
import type { PostCharge, PostUse, Store, WindowLimit } from "../state/store.js";

/** A sender's budget as this instance sees it. */
interface View {
  /** The window's start (epoch ms): this instance's first message, or the Store's answer. */
  windowStart: number;
  /** Points the cluster had used, as the last answer said (this instance's charged ones included). */
  known: number;
  /** Accepted here and being charged now (not in `known` yet). */
  charging: number;
  /** Accepted here since, not charged yet. */
  pending: number;
}

/** How often accepted messages are charged at the latest (ms). */
export const POST_CHARGE_MS = 500;

export interface PostBudgets {
  /**
   * Takes one point of `userId`'s budget at `now` (epoch ms) on this instance's view: null when the
   * message may go, else the ms until the window ends. Synchronous: no Store round trip.
   */
  take(userId: string, now: number): number | null;
  /** Charges what was accepted and not yet charged (also on the timer); resolves once answered. */
  flush(): Promise<void>;
  /** Resolves once the charge in flight, if any, is answered; starts none. */
  settled(): Promise<void>;
  /** Stops the timer after one last flush. */
  close(): Promise<void>;
}

/**
 * The instance's view of every sender's room-message budget (`limit`: the family's points and window).
 * `store.chargeRoomMessages` is called at most every `everyMs`, or at once when a sender has `burst`
 * messages not yet charged; one call carries every sender of the batch.
 */
export function createPostBudgets(
  store: Pick<Store, "chargeRoomMessages">,
  limit: WindowLimit,
  options: { clock: () => number; logger: Logger; everyMs?: number; burst?: number },
): PostBudgets {
  const { clock, logger } = options;
  const everyMs = options.everyMs ?? POST_CHARGE_MS;
  const burst = options.burst ?? Math.max(1, Math.floor(limit.points / 4));
  const views = new Map<string, View>();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const schedule = () => {
    if (!timer && !closed) timer = setTimeout(() => void flush(), everyMs).unref();
  };

  function take(userId: string, now: number): number | null {
    let view = views.get(userId);
    if (!view || now >= view.windowStart + limit.windowMs) {
      // A new window: what was not yet charged belongs to the old one.
      view = { windowStart: now, known: 0, charging: view?.charging ?? 0, pending: 0 };
      views.set(userId, view);
    }
    if (view.known + view.charging + view.pending >= limit.points)
      return Math.max(1, view.windowStart + limit.windowMs - now);
    view.pending += 1;
    if (view.pending >= burst) void flush();
    else schedule();
    return null;
  }

  async function charge(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const batch: PostCharge[] = [];
    for (const [userId, view] of views) {
      if (view.pending > 0) {
        batch.push({ userId, count: view.pending });
        view.charging += view.pending;
        view.pending = 0;
      } else if (view.charging === 0 && clock() >= view.windowStart + limit.windowMs) views.delete(userId);
    }
    if (batch.length === 0) return;
    const now = clock();
    let answers: PostUse[];
    try {
      answers = await store.chargeRoomMessages(batch, limit, now);
    } catch (error) {
      // Redis away: the messages were not kept either (their append needs it); charge them next time.
      logger.warn({ err: error, senders: batch.length }, "room-message budgets not charged");
      for (const { userId, count } of batch) {
        const view = views.get(userId);
        if (view) Object.assign(view, { charging: view.charging - count, pending: view.pending + count });
      }
      schedule();
      return;
    }
    batch.forEach(({ userId, count }, i) => {
      const view = views.get(userId);
      const use = answers[i];
      if (!view || !use) return;
      view.charging -= count;
      view.known = use.used;
      view.windowStart = use.windowStart;
    });
  }

  /** One charge at a time; a flush asked for meanwhile runs right after it, under the same promise. */
  function flush(): Promise<void> {
    if (inFlight) again = true;
    else inFlight = run();
    return inFlight;
  }

  async function run(): Promise<void> {
    do {
      again = false;
      await charge();
    } while (again);
    inFlight = undefined;
    for (const view of views.values()) if (view.pending > 0) return schedule();
  }

  return {
    take,
    flush,
    settled: () => inFlight ?? Promise.resolve(),
    async close() {
      await flush();
      closed = true;
      clearTimeout(timer);
    },
  };
}
