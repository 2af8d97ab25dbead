// A client that completes the handshake, then stops reading (its kernel receive buffer fills) while
// answering pings blindly, must not make the server hold what is sent to it: the server cuts it once
// its outbound buffer passes the bound, and the server's RSS stays bounded. The server runs as its own
// process so its RSS is its own.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createSession, openSocket, request, waitFor, type ClientSocket } from "./support/clients.js";
import { sample } from "./support/metrics.js";
import { freePort } from "./support/ports.js";
import { spawnServer, type ServerProcess } from "./support/server.js";

const MB = 1024 * 1024;
const TOTAL = 6_000;
const AFTER_CUT = 1_500; // messages sent on after the cut
const rssOf = (pid: number) => {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(line?.[1] ?? 0) * 1024;
};

/**
 * Engine.IO 4 / Socket.IO 5 over a raw WebSocket: open, CONNECT with the session token, wait for
 * session:ready, then stop reading. Pongs go out every second whatever the server sent.
 */
async function sleeper(url: string, token: string) {
  const ws = new WebSocket(`${url.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
  await new Promise<void>((resolve, reject) => {
    ws.on("error", reject);
    ws.on("message", (data) => {
      const text = String(data);
      if (text.startsWith("0")) ws.send(`40${JSON.stringify({ token })}`);
      else if (text === "2") ws.send("3");
      else if (text.startsWith('42["session:ready"')) resolve();
    });
  });
  ws.pause();
  const pongs = setInterval(() => ws.send("3"), 1_000);
  return {
    closed: () =>
      new Promise<void>((resolve) => {
        clearInterval(pongs);
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once("close", () => resolve());
        ws.resume(); // reading again lets it see that the server hung up
      }),
    stop: () => {
      clearInterval(pongs);
      ws.terminate();
    },
  };
}

let server: ServerProcess | undefined;
let talker: ClientSocket | undefined;
afterEach(async () => {
  talker?.disconnect();
  await server?.stop();
});

describe("outbound buffer bound", () => {
  it("cuts a client that stops reading, and the server's memory stays bounded", async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    // Only the buffer bound is under test here: the private message limit is lifted.
    server = await spawnServer(port, {
      LOG_LEVEL: "warn",
      RATE_LIMITS: "private-message=1000000/10",
      METRICS_PORT: String(metricsPort),
      METRICS_HOST: "127.0.0.1",
      // Young-generation garbage is not held memory: Node 22+ lets the young generation grow to about
      // three times 32 MB before collecting it (Node 20: 16 MB), which alone lifted the peak RSS here by
      // some 80 MB. Pinned to Node 20's size, the figure measures what the server holds on any Node.
      NODE_OPTIONS: "--max-semi-space-size=16",
    });
    const pid = server.child.pid!;
    const sleepy = await createSession(server.url, "Sleeper");
    const victim = await sleeper(server.url, sleepy.token);
    const talking = await createSession(server.url, "Talker");
    talker = openSocket(server.url, { token: talking.token });
    await waitFor(talker, "session:ready");
    const opened = waitFor(talker, "private:opened");
    expect((await request(talker, "private:open", { with: sleepy.user.id })).ok).toBe(true);
    await opened;

    const baseline = rssOf(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 50);
    const cut = () => server!.output().includes("client is not reading");
    // Up to 48 MB, well past the kernel's socket buffers and the bound; the flood goes on for 12 MB
    // after the cut, as it would (more proves nothing more, and a busy machine took over 60 s for all
    // 48 MB). Without the bound the server's RSS grows by about 2.5× what was sent.
    const text = "😀".repeat(2000); // 8 KB in UTF-8, the largest message there is
    let sent = 0;
    let sentAtCut: number | undefined;
    try {
      while (sent < TOTAL && (sentAtCut === undefined || sent < sentAtCut + AFTER_CUT)) {
        const acks = await Promise.all(
          Array.from({ length: 25 }, () => request(talker!, "private:message", { text })),
        );
        expect(acks.every((ack) => ack.ok)).toBe(true);
        sent += acks.length;
        if (sentAtCut === undefined && cut()) sentAtCut = sent;
      }
    } finally {
      clearInterval(sampler);
    }
    expect(sentAtCut, "the server never cut the client that does not read").toBeDefined();
    await victim.closed();
    talker.disconnect();
    talker = undefined;
    const after = rssOf(pid);
    const line = server
      .output()
      .split("\n")
      .find((l) => l.includes("client is not reading"));
    const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
    console.log(
      `outbound bound: cut after ${sentAtCut} × 8 KB messages, ${sent} sent in all (${mb(sent * 8000)}); ` +
        `server RSS baseline ${mb(baseline)}, peak ${mb(peak)}, after everyone left ${mb(after)}\n  ${line}`,
    );
    expect(peak).toBeLessThan(baseline + 100 * MB);
    expect(after).toBeLessThan(baseline + 100 * MB);
    // The operator sees the cut (no token set: the endpoint answers anyone who reaches its port).
    const scraped = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(sample(scraped, "videochat_outbound_buffer_cuts_total")).toBe(1);
  }, 180_000); // a safety net against a hang (vitest.config.ts), not a measure of speed
});
