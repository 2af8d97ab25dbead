// A load-generator worker process (forked by scripts/bench/pool.ts): holds simulated users and runs
// what the parent asks over IPC, and measures itself (CPU, event-loop delay) so that every bench row
// can show whether the generator, not the server, set the pace.
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Envelope, GeneratorStats, Request } from "./rpc.js";
import { Users } from "./users.js";

const SAMPLES = 5;
let errors = 0;
const samples: string[] = [];
const fault = (message: string) => {
  errors += 1;
  if (samples.length < SAMPLES) samples.push(message);
};

const users = new Users(fault);
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let cpuFrom = process.cpuUsage();

type Ack = { ok: boolean; error?: { code: string } };
const ACK_TIMEOUT_MS = 10_000;
const ask = (handle: string, event: string, payload: object) =>
  users.get(handle).socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload) as Promise<Ack>;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** An error's message and, for fetch's "fetch failed", what failed underneath (ECONNRESET, …). */
const describe = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause ? `${error.message}: ${cause.code ?? cause.message}` : error.message;
};

/**
 * Runs `task` over `items`, at most `limit` at a time, starting none after `stopAt` (a Date.now()
 * time); a failed item is an error, not a stop.
 */
async function pooled<T, R>(
  items: T[],
  limit: number,
  task: (item: T) => Promise<R>,
  stopAt = Infinity,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length && Date.now() < stopAt) {
      const item = items[next++]!;
      try {
        results.push(await task(item));
      } catch (error) {
        fault(describe(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** Each sender sends one room message per period and times the ack (the flood row's "others"). */
async function ackLoop(handles: string[], periodMs: number, durationMs: number) {
  const latencies: number[] = [];
  let failed = 0;
  const end = performance.now() + durationMs;
  await Promise.all(
    handles.map(async (handle, i) => {
      await pause((i * periodMs) / handles.length); // spread the senders over the period
      for (let round = 0; performance.now() < end; round++) {
        const started = performance.now();
        const ack = await ask(handle, "room:message", { text: `ack ${handle}.${round}` });
        latencies.push(performance.now() - started);
        if (!ack.ok) failed += 1;
        await pause(started + periodMs - performance.now());
      }
    }),
  );
  if (failed > 0) fault(`${failed} room messages refused during the ack loop`);
  return { latencies, failed };
}

/**
 * Private messages in bursts, each burst as soon as the last is answered. Refusals are expected, and so
 * is being cut off for flooding: then it stops and says when, and how the server said why.
 */
async function flood(handle: string, burst: number, durationMs: number) {
  const user = users.get(handle);
  user.closing = true; // a disconnect is what the server should do to a flooder, not a fault
  let sent = 0;
  let refused = 0;
  let unanswered = 0;
  let cutAtMs: number | null = null;
  let endedWith: string | null = null;
  const started = performance.now();
  // The bench's lazy parser hands over the raw packet (`2["session:ended",{"code":…}]`).
  user.socket.once("session:ended", (raw: unknown) => {
    endedWith = /"code":"([^"]+)"/.exec(String(raw))?.[1] ?? String(raw);
  });
  user.socket.once("disconnect", () => (cutAtMs = Math.round(performance.now() - started)));
  while (performance.now() - started < durationMs && user.socket.connected) {
    const acks = await Promise.all(
      Array.from({ length: burst }, (_, i) =>
        // Acks still pending when the server cuts the socket reject at once (socket.io-client 4.7+).
        ask(handle, "private:message", { text: `flood ${sent + i}` }).catch(() => null),
      ),
    );
    sent += burst;
    refused += acks.filter((ack) => ack?.error?.code === "rate_limited").length;
    unanswered += acks.filter((ack) => ack === null).length;
  }
  return { sent, refused, unanswered, cutAtMs, endedWith, seconds: (performance.now() - started) / 1000 };
}

function stats(reset: boolean): GeneratorStats {
  const cpu = process.cpuUsage(cpuFrom);
  const result: GeneratorStats = {
    cpuUs: cpu.user + cpu.system,
    loopP99Ms: loop.percentile(99) / 1e6,
    loopMaxMs: loop.max / 1e6,
    errors,
    samples: [...samples],
    sockets: users.byHandle.size,
    received: users.received,
  };
  if (reset) {
    users.received = {};
    cpuFrom = process.cpuUsage();
    loop.reset();
    errors = 0;
    samples.length = 0;
  }
  return result;
}

async function run(request: Request): Promise<unknown> {
  switch (request.op) {
    case "join":
      return pooled(request.users, request.concurrency, (user) => users.join(user), request.stopAt);
    case "joinOne":
      return users.join(request.user);
    case "arm":
      return { armed: users.arm(request.id, request.room, request.match, request.timeoutMs, request.except) };
    case "collect":
      return users.collect(request.id);
    case "send": {
      const at = process.hrtime.bigint();
      void ask(request.handle, request.event, request.payload).then(
        (ack) => ack.ok || fault(`${request.event} refused: ${ack.error?.code}`),
        (error: unknown) => fault(`${request.event}: ${String(error)}`),
      );
      return { at: String(at) };
    }
    case "ask": {
      const ack = await ask(request.handle, request.event, request.payload);
      return { ok: ack.ok, code: ack.error?.code };
    }
    case "ackLoop":
      return ackLoop(request.handles, request.periodMs, request.durationMs);
    case "flood":
      return flood(request.handle, request.burst, request.durationMs);
    case "leave":
      await pooled(request.handles, request.concurrency, (handle) => users.leave(handle));
      return null;
    case "closeAll":
      users.closeAll();
      return null;
    case "stats":
      return stats(request.reset);
  }
}

process.on("message", (message: Envelope) => {
  if (!("request" in message)) return;
  run(message.request).then(
    (result) => process.send!({ id: message.id, ok: true, result } satisfies Envelope),
    (error: unknown) =>
      process.send!({
        id: message.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      } satisfies Envelope),
  );
});
process.on("disconnect", () => process.exit(0));
