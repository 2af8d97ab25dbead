// The flood rows of `npm run bench`: in a room of 100, 20 members each send a room message a second
// and time its ack, first alone, then while one member floods private messages to its private-chat
// partner (bursts of 200, each sent as soon as the last is answered) under the default limits.
import type { Socket } from "socket.io-client";
import { connectMembers, ms, percentile } from "./members.js";

const MEMBERS = Number(process.env.BENCH_FLOOD_MEMBERS ?? 100);
const SENDERS = 20;
const PHASE_MS = Number(process.env.BENCH_FLOOD_SECONDS ?? 8) * 1000;
const BURST = 200;

type Ack = { ok: boolean; error?: { code: string } };
const ask = (socket: Socket, event: string, payload: object) =>
  socket.timeout(10_000).emitWithAck(event, payload) as Promise<Ack>;
const pause = (delayMs: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, delayMs)));

/** Every sender sends one room message a second for a phase; the latencies of all their acks. */
async function timeAcks(senders: Socket[]) {
  const latencies: number[] = [];
  let failed = 0;
  const end = performance.now() + PHASE_MS;
  await Promise.all(
    senders.map(async (socket, i) => {
      await pause((i * 1000) / senders.length); // spread the senders over the second
      for (let round = 0; performance.now() < end; round++) {
        const started = performance.now();
        const ack = await ask(socket, "room:message", { text: `bench ${i}.${round}` });
        latencies.push(performance.now() - started);
        if (!ack.ok) failed += 1;
        await pause(started + 1000 - performance.now());
      }
    }),
  );
  return { latencies, failed };
}

async function flood(flooder: Socket, stop: Promise<unknown>) {
  let done = false;
  void stop.then(() => (done = true));
  let sent = 0;
  let refused = 0;
  const started = performance.now();
  while (!done) {
    const acks = await Promise.all(
      Array.from({ length: BURST }, (_, i) => ask(flooder, "private:message", { text: `flood ${sent + i}` })),
    );
    sent += BURST;
    refused += acks.filter((ack) => ack.error?.code === "rate_limited").length;
  }
  return { sent, refused, seconds: (performance.now() - started) / 1000 };
}

/** Prints others' ack p50/p99 without and with one member's private-message flood. */
export async function measureFlood(label: string, urls: string[]): Promise<void> {
  const members = await connectMembers(urls, MEMBERS, "flood");
  const [flooder, partner] = members;
  const opened = await ask(flooder!.socket, "private:open", { with: partner!.userId });
  if (!opened.ok) throw new Error("the flooder could not open a private chat");
  const senders = members.slice(2, 2 + SENDERS).map((member) => member.socket);
  const row = (what: string, result: { latencies: number[]; failed: number }, extra = "") =>
    console.log(
      `${label.padEnd(26)} ${what.padEnd(16)} ack p50 ${ms(percentile(result.latencies, 50))}  p99 ${ms(
        percentile(result.latencies, 99),
      )}  (${result.latencies.length} acks, ${result.failed} failed)${extra}`,
    );

  row("no flood", await timeAcks(senders));
  const measured = timeAcks(senders);
  const flooded = await flood(flooder!.socket, measured);
  row(
    "private flood",
    await measured,
    `; flooder ${Math.round(flooded.sent / flooded.seconds)} events/s, ${flooded.refused} of ${flooded.sent} rate_limited`,
  );
  for (const member of members) member.socket.disconnect();
}
