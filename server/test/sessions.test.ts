// Sessions and their sockets: a cap on tabs per session, and the embedded memory default's heartbeat
// that stays silent (the same registry semantics as Redis, proved by the Store contract suite).
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { createInstance } from "../src/server.js";
import { createSession, openSocket, record, request, waitFor, type ClientSocket } from "./support/clients.js";
import { eventually } from "./support/cluster.js";
import { useServer } from "./support/harness.js";

describe("tabs per session", () => {
  const server = useServer({ MAX_CONNECTIONS_PER_SESSION: "8" });

  it("refuses a ninth tab of one session with a clear reason, and keeps the eight", async () => {
    const ann = await server.enter("Ann");
    const tabs: ClientSocket[] = [ann.socket];
    for (let i = 1; i < 8; i++) {
      const tab = server.open({ token: ann.session.token });
      await waitFor(tab, "session:ready");
      tabs.push(tab);
    }
    const ninth = server.open({ token: ann.session.token });
    const ended = await waitFor(ninth, "session:ended");
    expect(ended).toMatchObject({
      code: "too_many_connections",
      message: expect.stringContaining("too many tabs"),
    });
    await new Promise<void>((resolve) =>
      ninth.connected ? ninth.once("disconnect", () => resolve()) : resolve(),
    );
    expect(tabs.every((tab) => tab.connected)).toBe(true);

    // One status change now reaches the room once per watching tab, not once per opened socket.
    const bo = await server.enter("Bo");
    const updates = record(bo.socket, "room:member-updated");
    const seen = waitFor(bo.socket, "room:member-updated");
    tabs[0]!.emit("presence:set", { status: "absent" }, () => undefined);
    await seen;
    expect(updates).toHaveLength(1);
  });
});

describe("a duplicated tab (the same session twice)", () => {
  const server = useServer();

  it("is absent only when both tabs are idle, and a status picked by hand shows in both", async () => {
    const ann = await server.enter("Ann");
    const twin = server.open({ token: ann.session.token });
    await waitFor(twin, "session:ready");
    const bo = await server.enter("Bo");
    const seen = record(bo.socket, "room:member-updated");

    expect(await request(twin, "presence:idle", { idle: true })).toMatchObject({ ok: true });
    const absent = waitFor(bo.socket, "room:member-updated", (d) => d.member.status === "absent");
    await request(ann.socket, "presence:idle", { idle: true });
    await absent;
    expect(seen.map((d) => d.member.status)).toEqual(["absent"]); // the idle twin alone changed nothing

    const back = waitFor(bo.socket, "room:member-updated", (d) => d.member.status === "online");
    await request(ann.socket, "presence:idle", { idle: false });
    await back;

    // The twin learns the pick from the room's update of Ann (one broadcast), as Bo learns her status.
    const chosen = waitFor(twin, "room:member-updated", (d) => d.chosen !== undefined);
    const told = waitFor(bo.socket, "room:member-updated", (d) => d.member.status === "unavailable");
    await request(ann.socket, "presence:set", { status: "unavailable" });
    expect(await chosen).toMatchObject({ chosen: "unavailable", member: { status: "unavailable" } });
    expect((await told).chosen).toBe("unavailable");
  });
});

describe("the embedded memory Store", () => {
  it("keeps its heartbeat silent: the instance is never told it had been dropped", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => void lines.push(line) });
    const config = loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      CLIENT_DIST: "/nonexistent",
      HEARTBEAT_INTERVAL_MS: "20",
      REAPER_INTERVAL_MS: "20",
    });
    const instance = createInstance(config, { logger });
    let beats = 0;
    const heartbeat = instance.store.heartbeat.bind(instance.store);
    instance.store.heartbeat = (...args) => {
      beats += 1;
      return heartbeat(...args);
    };
    const port = await instance.listen();
    const url = `http://127.0.0.1:${port}`;
    const session = await createSession(url, "Ann");
    const socket = openSocket(url, { token: session.token });
    try {
      await waitFor(socket, "session:ready");
      // Thirty more heartbeats (and sweeps) with a connected user.
      const target = beats + 30;
      await eventually(() => beats >= target, 20_000, "thirty heartbeats");
      expect(lines.filter((line) => /dropped|declared dead|re-attach/.test(line))).toEqual([]);
      expect(socket.connected).toBe(true);
    } finally {
      socket.disconnect();
      await instance.close();
    }
  });
});

describe("a tab that closes while one of its events is still being handled", () => {
  const server = useServer();

  it("does not bring back the session it left (found by the fuzz suite)", async () => {
    const ann = await server.enter("Ann");
    const { store, io } = server.instance;
    // Hold Ann's status change inside the Store until she has logged out and her tab has closed.
    let release!: () => void;
    let returned!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const statusReturned = new Promise<void>((resolve) => (returned = resolve));
    const setStatus = store.setStatus.bind(store);
    store.setStatus = async (...args) => {
      await gate;
      const result = await setStatus(...args);
      returned();
      return result;
    };
    void request(ann.socket, "presence:set", { status: "absent" }).catch(() => undefined);
    expect(await request(ann.socket, "session:leave", {})).toMatchObject({ ok: true });
    await eventually(() => io.of("/").sockets.size === 0, 2_000, "Ann's tab closed");
    release();
    await statusReturned;
    // The rest of the handler runs in microtasks on the memory Store. It found no session, and its
    // closed tab must not rebuild it: the rebuilt session would hold a connection nobody has.
    await new Promise((resolve) => setImmediate(resolve));
    expect(await store.getSession(ann.session.user.id)).toBeNull();
  });
});
