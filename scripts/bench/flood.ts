// The flood row: in a room of 100, 50 members each send a room message a second and time its ack, first
// alone, then while one member floods private messages to its private-chat partner (bursts of 200, each
// sent as soon as the last is answered) under the default limits; the server cuts it off past
// FLOOD_REFUSALS refusals, and the row says when. The flooder runs in another generator
// process than the senders (when the room has enough members there), so its own CPU does not delay their acks.
import { populate } from "./population.js";
import { measureRow, ms, spread, type Bench, type Row } from "./row.js";

export const FLOOD_ROOM = "FLOOD";
const MEMBERS = 100;
/** Enough acks (50 a second) that a p99 is not one stall on a shared machine. */
const SENDERS = 50;
const BURST = 200;

export async function floodRow(bench: Bench): Promise<Row> {
  const size = bench.quick ? MEMBERS / 2 : MEMBERS;
  const members = await populate(bench, FLOOD_ROOM, size, "flood");
  const [flooder, partner] = members.filter((member) => member.worker === bench.pool.workers[0]);
  const others = members.filter((member) => member.worker !== flooder!.worker);
  const senders = (others.length >= SENDERS ? others : members.slice(2)).slice(0, SENDERS);
  const opened = await flooder!.worker.ask({
    op: "ask",
    handle: flooder!.handle,
    event: "private:open",
    payload: { with: partner!.userId },
  });
  if (!opened.ok) throw new Error(`the flooder could not open a private chat: ${opened.code}`);
  const durationMs = (bench.quick ? 2 : 10) * 1000;

  /** The senders' acks over one phase, wherever they live. */
  const timeAcks = async () => {
    const results = await Promise.all(
      bench.pool.workers.map((worker) => {
        const handles = senders.filter((s) => s.worker === worker).map((s) => s.handle);
        return handles.length === 0
          ? { latencies: [], failed: 0 }
          : worker.ask({ op: "ackLoop", handles, periodMs: 1000, durationMs });
      }),
    );
    return results.flatMap((result) => result.latencies);
  };

  return measureRow(
    bench,
    {
      id: "flood",
      scenario: `flood: ${senders.length} others' ack p50/p99, one user flooding private messages in a room of ${size}`,
      target: "p99 within 2× of no flood",
    },
    async () => {
      const calm = spread(await timeAcks());
      const [flooded, flood] = await Promise.all([
        timeAcks(),
        flooder!.worker.ask({ op: "flood", handle: flooder!.handle, burst: BURST, durationMs }),
      ]);
      const stormy = spread(flooded);
      const ratio = stormy.p99 / calm.p99;
      return {
        ours: `p50 ${ms(calm.p50)} → ${ms(stormy.p50)}, p99 ${ms(calm.p99)} → ${ms(stormy.p99)} (×${ratio.toFixed(2)})`,
        value: ratio,
        met: ratio <= 2 ? "yes" : "no",
        details: {
          noFlood: calm,
          flood: stormy,
          flooder: {
            eventsPerSecond: Math.round(flood.sent / flood.seconds),
            sent: flood.sent,
            rateLimited: flood.refused,
            unanswered: flood.unanswered,
            cutAtMs: flood.cutAtMs,
            endedWith: flood.endedWith,
          },
        },
      };
    },
  );
}
