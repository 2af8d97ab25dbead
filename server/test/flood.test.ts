// A connection that keeps sending past its limits is cut: it is told why (`flooding`), the others in
// its room keep talking (their acks answer), and its session may connect again, on any instance, only
// after FLOOD_COOLDOWN_MS, then resumes where it was.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AppError } from "@videochat/protocol";
import {
  closeAll,
  join,
  openSocket,
  request,
  waitFor,
  type ClientSocket,
  type Joined,
} from "./support/clients.js";
import { instanceSample } from "./support/metrics.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { startServer, type TestServer } from "./support/server.js";

const COOLDOWN_MS = 1500;
const ENV = {
  FLOOD_REFUSALS: "50",
  FLOOD_WINDOW_MS: "10000",
  FLOOD_COOLDOWN_MS: String(COOLDOWN_MS),
  // The flooder's session must outlive its cool-down to come back.
  SESSION_GRACE_MS: "30000",
};

/** Connects with `token` until the handshake is accepted; every refusal on the way, with when it came. */
async function reconnect(url: string, token: string) {
  const refusals: { at: number; code: string; data: AppError }[] = [];
  for (;;) {
    const socket = openSocket(url, { token });
    // Listening before the handshake: a resumed chat follows session:ready at once.
    const chat = waitFor(socket, "private:opened");
    chat.catch(() => undefined);
    const outcome = await new Promise<AppError | "ready">((resolve) => {
      socket.once("session:ready", () => resolve("ready"));
      socket.once("connect_error", (error) => resolve((error as Error & { data: AppError }).data));
    });
    if (outcome === "ready") return { socket, refusals, chat };
    socket.disconnect();
    refusals.push({ at: Date.now(), code: outcome.code, data: outcome });
    if (outcome.code !== "flooding") throw new Error(`refused: ${outcome.code} ${outcome.message}`);
    // Waiting is what the refusal asks for: retry when it says the hold-off ends.
    await new Promise((resolve) => setTimeout(resolve, outcome.retryAfterMs ?? 100));
  }
}

/** Alice floods private messages to Bob at once; resolves with what she was told and when she was cut. */
async function floodUntilCut(alice: Joined, bob: Joined) {
  expect((await request(alice.socket, "private:open", { with: bob.session.user.id })).ok).toBe(true);
  const ended = waitFor(alice.socket, "session:ended");
  const cut = new Promise<string>((resolve) => alice.socket.once("disconnect", resolve));
  const acks = Array.from({ length: 400 }, (_, i) =>
    request(alice.socket, "private:message", { text: `flood ${i}` }).catch(() => null),
  );
  const reason = await ended;
  const how = await cut;
  const cutAt = Date.now();
  const answered = (await Promise.all(acks)).filter((ack) => ack !== null);
  return { reason, how, cutAt, answered };
}

function suite(servers: () => TestServer[]) {
  const url = () => servers().map((server) => server.url);
  const sockets: ClientSocket[] = [];
  afterEach(() => closeAll(...sockets.splice(0)));

  it("cuts a flooding connection, tells it why, and keeps the others' acks answering", async () => {
    const [first, second = first] = url() as [string, string?];
    const alice = await join(first, "Alice");
    const bob = await join(first, "Bob");
    const carol = await join(second, "Carol");
    sockets.push(alice.socket, bob.socket, carol.socket);
    // Carol keeps talking to the room throughout the flood; every one of her acks must answer.
    const carolAcks: Promise<{ ok: boolean }>[] = [];
    let talking = true;
    const talk = (async () => {
      for (let i = 0; talking; i++) {
        const ack = request(carol.socket, "room:message", { text: `carol ${i}` });
        carolAcks.push(ack);
        await ack;
      }
    })();

    const { reason, how, answered } = await floodUntilCut(alice, bob);
    talking = false;
    await talk;
    expect(reason.code).toBe("flooding");
    expect(reason.message).toMatch(/too many events too fast/);
    expect(reason.retryAfterMs).toBe(COOLDOWN_MS);
    expect(how).toBe("io server disconnect");
    // Cut near the budget: at most 30 private messages go through (on Redis their acks can come after
    // the cut), and nothing after the 50th refusal is answered.
    expect(answered.filter((ack) => ack.ok).length).toBeLessThanOrEqual(30);
    expect(answered.filter((ack) => !ack.ok)).toHaveLength(50);
    expect((await Promise.all(carolAcks)).every((ack) => ack.ok)).toBe(true);

    // Bob and Carol still hear each other.
    const heard = waitFor(bob.socket, "room:message", (message) => message.text === "still here");
    expect((await request(carol.socket, "room:message", { text: "still here" })).ok).toBe(true);
    await heard;
  });

  it("answers nothing past the cut, events the server does not know included", async () => {
    const [first] = url() as [string];
    const mallory = await join(first, "Mallory");
    sockets.push(mallory.socket);
    const ended = waitFor(mallory.socket, "session:ended");
    const acks = Array.from({ length: 400 }, () =>
      request(mallory.socket, "no:such-event" as never, {} as never).catch(() => null),
    );
    expect((await ended).code).toBe("flooding");
    const answered = (await Promise.all(acks)).filter((ack) => ack !== null);
    expect(answered).toHaveLength(Number(ENV.FLOOD_REFUSALS));
    expect(answered.every((ack) => !ack.ok && ack.error.code === "invalid_payload")).toBe(true);
    const cuts = await instanceSample(
      servers()[0]!.instance,
      "videochat_flood_cuts_total",
      'by="connection"',
    );
    expect(cuts).toBe(1);
  });

  it("holds off nobody else: handshakes with forged tokens naming someone's user id spend nothing of theirs", async () => {
    const [first, second = first] = url() as [string, string?];
    const alice = await join(first, "Alice");
    const bob = await join(first, "Bob");
    sockets.push(alice.socket, bob.socket);
    // User ids are public (member lists): Mallory sends more handshakes than the session-attach budget
    // (30 a minute) with tokens that name Bob's session but are not his.
    const refusals = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const forged = openSocket(i % 2 ? second : first, { token: `${bob.session.user.id}.forged${i}` });
        return new Promise<string>((resolve) => {
          forged.once("connect_error", (error) => resolve((error as Error & { data: AppError }).data.code));
          forged.once("session:ready", () => resolve("accepted"));
        }).finally(() => forged.disconnect());
      }),
    );
    expect(new Set(refusals)).toEqual(new Set(["session_unknown"]));
    // Bob's own tab reconnects at once, on either instance.
    bob.socket.disconnect();
    const back = await reconnect(second, bob.session.token);
    sockets.push(back.socket);
    expect(back.refusals).toEqual([]);
  });

  it("lets the flooder's session connect again only after the cool-down, on any instance", async () => {
    const [first, second = first] = url() as [string, string?];
    const alice = await join(first, "Alice");
    const bob = await join(first, "Bob");
    sockets.push(alice.socket, bob.socket);
    const { cutAt } = await floodUntilCut(alice, bob);

    // At once, and on the other instance when there is one: refused, with the wait.
    const back = await reconnect(second, alice.session.token);
    sockets.push(back.socket);
    expect(back.refusals.length).toBeGreaterThan(0);
    const [refusal] = back.refusals;
    expect(refusal!.data.message).toMatch(
      /^This session sent far too many events\. Connecting again in \d+ s\.$/,
    );
    expect(refusal!.data.retryAfterMs).toBeGreaterThan(0);
    expect(refusal!.data.retryAfterMs).toBeLessThanOrEqual(COOLDOWN_MS);
    // Accepted once the cool-down is over. It runs from the server's cut, and `cutAt` is when this client
    // saw the cut: later by however long the event took to arrive (252 ms once at load 25-39, where a
    // 250 ms allowance failed with 1,248 ms). An accept at once would come within ~100 ms.
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(COOLDOWN_MS - 500);
    // The same session, resumed: same user, still paired with Bob.
    expect((await back.chat).chat.with.id).toBe(bob.session.user.id);
    const heard = waitFor(bob.socket, "room:message", (message) => message.text === "sorry");
    expect((await request(back.socket, "room:message", { text: "sorry" })).ok).toBe(true);
    expect((await heard).from.id).toBe(alice.session.user.id);
  });
}

describe("flood cut, memory store", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(ENV);
  });
  afterAll(() => server.close());
  afterEach(async () => {
    // Fresh names for the next test: the sessions of this one end with their server.
    await server.close();
    server = await startServer(ENV);
  });
  suite(() => [server]);
});

describe("flood cut, two instances on Redis (the hold-off is cluster-wide)", () => {
  let redis: RedisProcess;
  let servers: TestServer[] = [];
  const start = async () => {
    const env = { ...ENV, REDIS_URL: redis.url };
    servers = [await startServer(env), await startServer(env)];
  };
  beforeAll(async () => {
    redis = await startRedis();
    await start();
  });
  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await redis.flush();
    await start();
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await redis.stop();
  });
  suite(() => servers);
});
