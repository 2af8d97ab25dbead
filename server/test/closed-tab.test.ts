// A tab closed right after joining a call is not a network blip: the server sees its transport closed
// by the client and ends the participation within seconds (CLOSED_TAB_GRACE_MS), not after the 30 s
// session grace; the same page coming back within that time keeps its place. (Issue 16: a closed
// tab stayed on the others' stage for about 31 s in 2 of 5 tries.)
import { io as connect } from "socket.io-client";
import { describe, expect, it } from "vitest";
import type { GroupCall, HandshakeAuth } from "@videochat/protocol";
import { closeAll, createSession, request, waitFor, type ClientSocket } from "./support/clients.js";
import { useServer } from "./support/harness.js";

const TRIALS = 20;
const WITHIN_MS = 5_000;
const ROOMS = ["GENERAL", "SPORTS", "GAMES"];
const names = (call: GroupCall | null | undefined) => call?.participants.map((p) => p.name) ?? [];

/** A tab of the SPA: its tab id in the query (for the page-holder rules), a page load id in auth. */
function tab(url: string, token: string, tabId: string, page: string): ClientSocket {
  const auth: HandshakeAuth = { token, page };
  return connect(url, {
    auth,
    query: { tab: tabId },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  }) as ClientSocket;
}

/** How the tab goes: the browser closing the WebSocket (a closed tab), or the page's disconnect(). */
function close(socket: ClientSocket, trial: number): void {
  if (trial % 2 === 0) socket.io.engine.close();
  else socket.disconnect();
}

describe("a tab closed right after joining a call", () => {
  const server = useServer({ SESSION_GRACE_MS: "30000", CALL_RING_TIMEOUT_MS: "20000" });
  const sockets: ClientSocket[] = [];
  const person = async (name: string, room: string, tabId = `tab-${name}`, page = `load-${name}`) => {
    const session = await createSession(server.url, name, room);
    const socket = tab(server.url, session.token, tabId, page);
    sockets.push(socket);
    await waitFor(socket, "session:ready");
    return { name, socket, session };
  };
  type Person = Awaited<ReturnType<typeof person>>;

  /** The group:state in which `watcher`'s stage no longer shows `name` (after a closed-tab grace at most). */
  const leaves = (watcher: Person, name: string) =>
    waitFor(watcher.socket, "group:state", (s) => !names(s.call).includes(name), WITHIN_MS + 5_000);

  /**
   * Ann starts a group call in `room` and Bo (tab-bo, page load-1) and Cy join it; `seen` then records
   * every participant list Ann's stage shows.
   */
  async function threeInCall(room: string) {
    const ann = await person("Ann", room);
    const bo = await person("Bo", room, "tab-bo", "load-1");
    const cy = await person("Cy", room);
    const started = await request(ann.socket, "group:start", {});
    const callId = (started as unknown as { call: GroupCall }).call.id;
    const all = waitFor(ann.socket, "group:state", (s) => names(s.call).length === 3);
    await request(bo.socket, "group:join", { callId });
    await request(cy.socket, "group:join", { callId });
    await all;
    const seen: string[][] = [];
    ann.socket.on("group:state", (s) => seen.push(names(s.call)));
    return { ann, bo, cy, callId, seen };
  }

  it(`leaves the others' group call stage within ${WITHIN_MS / 1000} s (${TRIALS} trials)`, async () => {
    const took: number[] = [];
    try {
      for (let batch = 0; batch * ROOMS.length < TRIALS; batch++) {
        const trials = ROOMS.map((room, i) => ({ room, trial: batch * ROOMS.length + i })).filter(
          ({ trial }) => trial < TRIALS,
        );
        took.push(
          ...(await Promise.all(
            trials.map(async ({ room, trial }) => {
              const ann = await person(`Ann${trial}`, room);
              const bo = await person(`Bo${trial}`, room);
              const started = await request(ann.socket, "group:start", {});
              const callId = (started as unknown as { call: GroupCall }).call.id;
              const both = waitFor(ann.socket, "group:state", (s) => names(s.call).length === 2);
              expect((await request(bo.socket, "group:join", { callId })).ok).toBe(true);
              await both;
              const gone = leaves(ann, bo.name);
              const at = Date.now();
              close(bo.socket, trial);
              await gone;
              // The room's call ends with Ann: the next batch starts a new one there.
              await request(ann.socket, "group:leave", {});
              closeAll(ann.socket);
              return Date.now() - at;
            }),
          )),
        );
      }
    } finally {
      closeAll(...sockets.splice(0));
    }
    expect(took).toHaveLength(TRIALS);
    expect(took.filter((ms) => ms > WITHIN_MS)).toEqual([]);
  }, 180_000);

  it(`ends a 1:1 call for the partner within ${WITHIN_MS / 1000} s (${TRIALS} trials)`, async () => {
    const took: number[] = [];
    try {
      for (let batch = 0; batch < TRIALS / 5; batch++) {
        const trials = Array.from({ length: 5 }, (_, i) => batch * 5 + i);
        took.push(
          ...(await Promise.all(
            trials.map(async (trial) => {
              const ann = await person(`Cy${trial}`, "GENERAL");
              const bo = await person(`Di${trial}`, "GENERAL");
              await privateCall(ann, bo);
              const ended = waitFor(ann.socket, "call:ended", undefined, WITHIN_MS + 5_000);
              const at = Date.now();
              close(bo.socket, trial);
              await ended;
              closeAll(ann.socket);
              return Date.now() - at;
            }),
          )),
        );
      }
    } finally {
      closeAll(...sockets.splice(0));
    }
    expect(took).toHaveLength(TRIALS);
    expect(took.filter((ms) => ms > WITHIN_MS)).toEqual([]);
  }, 180_000);

  it("keeps the place of a page whose connection closed and came back within the grace", async () => {
    try {
      // Cy closes his tab at the same moment and does not come back: his leaving shows when the
      // closed-tab deadline has passed and been swept.
      const { ann, bo, cy, seen } = await threeInCall("GENERAL");
      const cyGone = leaves(ann, "Cy");
      cy.socket.io.engine.close();
      bo.socket.io.engine.close();
      // The same page load (same tab, same page id) connects again: a transport the browser replaced.
      const again = tab(server.url, bo.session.token, "tab-bo", "load-1");
      sockets.push(again);
      expect((await waitFor(again, "session:ready")).resumed).toBe(true);
      expect(names((await cyGone).call)).toEqual(["Ann", "Bo"]);
      expect(seen.filter((list) => !list.includes("Bo"))).toEqual([]);
    } finally {
      closeAll(...sockets.splice(0));
    }
  });

  /** A 1:1 call between two new people: Ann rings, Bo accepts. */
  async function privateCall(ann: Person, bo: Person) {
    const opened = waitFor(bo.socket, "private:opened");
    await request(ann.socket, "private:open", { with: bo.session.user.id });
    await opened;
    const incoming = waitFor(bo.socket, "call:incoming");
    await request(ann.socket, "call:invite", {});
    const { call } = await incoming;
    const answered = waitFor(ann.socket, "call:answered");
    await request(bo.socket, "call:answer", { callId: call.id, accept: true });
    await answered;
    return call.id;
  }

  const reloading = (token: string, tabId: string) =>
    fetch(`${server.url}/api/session/reloading`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token, tab: tabId }),
    });

  it("keeps a 1:1 call whose page reloads slower than the closed-tab grace (the new page said it was loading)", async () => {
    try {
      const ann = await person("Ann", "GENERAL");
      const bo = await person("Bo", "GENERAL", "tab-bo", "load-1");
      const callId = await privateCall(ann, bo);
      // Cy and Di's call is the clock: Di's tab closes just after Bo's and does not come back.
      const cy = await person("Cy", "SPORTS");
      const di = await person("Di", "SPORTS");
      await privateCall(cy, di);
      const ended: unknown[] = [];
      ann.socket.on("call:ended", (payload) => ended.push(payload));
      const away = waitFor(ann.socket, "call:participant", (p) => p.state === "away");
      bo.socket.io.engine.close();
      expect(await away).toMatchObject({ callId, user: { name: "Bo" } });
      // Bo's tab is loading its new page: the first thing it does is say so.
      expect(await (await reloading(bo.session.token, "tab-bo")).json()).toEqual({ held: true });
      // Nobody else's tab, nor an unknown session, keeps anything.
      expect(await (await reloading(bo.session.token, "tab-other")).json()).toEqual({ held: false });
      expect((await reloading("x".repeat(32), "tab-bo")).status).toBe(401);
      expect((await reloading(bo.session.token, "a/b")).status).toBe(400);
      const clock = waitFor(cy.socket, "call:ended", undefined, WITHIN_MS + 5_000);
      di.socket.io.engine.close();
      // Di's closed tab ends her call after the closed-tab grace, which Bo's away place outlived.
      expect(await clock).toMatchObject({ reason: "left", by: { name: "Di" } });
      const back = waitFor(ann.socket, "call:participant", (p) => p.state === "back");
      const again = tab(server.url, bo.session.token, "tab-bo", "load-2");
      sockets.push(again);
      expect(await waitFor(again, "call:held")).toEqual({ callId, kind: "private" });
      expect(await back).toMatchObject({ callId, user: { name: "Bo" }, rejoined: true });
      expect(ended).toEqual([]);
    } finally {
      closeAll(...sockets.splice(0));
    }
  });

  it("keeps a group call place whose page reloads slower than the closed-tab grace", async () => {
    try {
      // Cy is the clock: his tab closes just after Bo's and does not come back.
      const { ann, bo, cy, callId, seen } = await threeInCall("GAMES");
      const away = waitFor(ann.socket, "call:participant", (p) => p.state === "away");
      bo.socket.io.engine.close();
      expect(await away).toMatchObject({ callId, user: { name: "Bo" } });
      expect(await (await reloading(bo.session.token, "tab-bo")).json()).toEqual({ held: true });
      const cyGone = leaves(ann, "Cy");
      cy.socket.io.engine.close();
      expect(names((await cyGone).call)).toEqual(["Ann", "Bo"]);
      const again = tab(server.url, bo.session.token, "tab-bo", "load-2");
      sockets.push(again);
      expect(await waitFor(again, "call:held")).toEqual({ callId, kind: "group" });
      expect(seen.filter((list) => !list.includes("Bo"))).toEqual([]);
    } finally {
      closeAll(...sockets.splice(0));
    }
  });
});
