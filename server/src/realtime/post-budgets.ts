// Room-message budgets off the message's path: each instance keeps its own view of each sender's
// budget (the room-message family), refuses on it at once, and charges the Store in batches, whose
// answers (the cluster's use) correct the view. One instance alone counts exactly (its view holds
// every point it took). An instance charges a sender every `burst` messages it accepted from them, not
// on a timer: a charge per batch of time would still cost one command per message for everyone who
// sends less than one message per batch (measured: 0.55 INCRBY per message at the bench's pace with a
// 500 ms batch), while a sender who stays under `burst` per window on an instance costs none. The
// bound this costs, for a user with tabs on N instances: an instance learns the others' use when it
// charges its own, so at a person's pace (slower than a charge's round trip) a window takes at most
// points + (N − 1) × burst; a flood faster than the round trip, at most N × points (each instance
// refuses past points on its own count).
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

export interface PostBudgets {
  /**
   * Takes one point of `userId`'s budget at `now` (epoch ms) on this instance's view: null when the
   * message may go, else the ms until the window ends. Synchronous: no Store round trip.
   */
  take(userId: string, now: number): number | null;
  /** Charges every sender with anything accepted and not yet charged; resolves once answered. */
  flush(): Promise<void>;
  /** Resolves once the charge in flight, if any, is answered; starts none. */
  settled(): Promise<void>;
  /** Charges what is left (a stop). */
  close(): Promise<void>;
}

/**
 * The instance's view of every sender's room-message budget (`limit`: the family's points and window).
 * `store.chargeRoomMessages` is called when a sender has `burst` (default: a quarter of the points)
 * messages not yet charged, for every sender who has as many; one charge in flight at a time.
 */
export function createPostBudgets(
  store: Pick<Store, "chargeRoomMessages">,
  limit: WindowLimit,
  options: { clock: () => number; logger: Logger; burst?: number },
): PostBudgets {
  const { clock, logger } = options;
  const burst = options.burst ?? Math.max(1, Math.floor(limit.points / 4));
  const views = new Map<string, View>();
  let inFlight: Promise<void> | undefined;
  let again = false;
  /** A flush (every sender with anything uncharged) was asked for, not only the senders at `burst`. */
  let everyone = false;
  /** Views are swept of ended windows when there are this many (amortised: it doubles). */
  let sweepAt = 1024;

  function take(userId: string, now: number): number | null {
    let view = views.get(userId);
    if (!view || now >= view.windowStart + limit.windowMs) {
      // A new window: what was not yet charged belongs to the old one.
      view = { windowStart: now, known: 0, charging: view?.charging ?? 0, pending: 0 };
      views.set(userId, view);
      if (views.size >= sweepAt) sweep(now);
    }
    if (view.known + view.charging + view.pending >= limit.points)
      return Math.max(1, view.windowStart + limit.windowMs - now);
    view.pending += 1;
    if (view.pending >= burst) void queue(false);
    return null;
  }

  /** Forgets the senders whose window is over and who have nothing in flight. */
  function sweep(now: number): void {
    for (const [userId, view] of views)
      if (view.charging === 0 && now >= view.windowStart + limit.windowMs) views.delete(userId);
    sweepAt = Math.max(1024, 2 * views.size);
  }

  /**
   * Charges the senders at `burst` (a sender below it on this instance costs no command), or with
   * `all` every sender with anything uncharged.
   */
  async function charge(all: boolean): Promise<void> {
    const batch: PostCharge[] = [];
    for (const [userId, view] of views) {
      if (view.pending >= (all ? 1 : burst)) {
        batch.push({ userId, count: view.pending });
        view.charging += view.pending;
        view.pending = 0;
      }
    }
    if (batch.length === 0) return;
    const now = clock();
    let answers: PostUse[];
    try {
      answers = await store.chargeRoomMessages(batch, limit, now);
    } catch (error) {
      // Redis away: the messages were not kept either (their append needs it); charged with the next.
      logger.warn({ err: error, senders: batch.length }, "room-message budgets not charged");
      for (const { userId, count } of batch) {
        const view = views.get(userId);
        if (view) Object.assign(view, { charging: view.charging - count, pending: view.pending + count });
      }
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

  /** One charge at a time; one asked for meanwhile runs right after it, under the same promise. */
  function queue(all: boolean): Promise<void> {
    everyone ||= all;
    if (inFlight) again = true;
    else inFlight = run();
    return inFlight;
  }

  async function run(): Promise<void> {
    do {
      again = false;
      const all = everyone;
      everyone = false;
      await charge(all);
    } while (again);
    inFlight = undefined;
  }

  return {
    take,
    flush: () => queue(true),
    settled: () => inFlight ?? Promise.resolve(),
    close: () => queue(true),
  };
}
