// Reaching people: "do not disturb" refuses a chat, a call and a group-call invitation toward someone
// who chose "Unavailable" and keeps who tried; a busy person hears it at once; read positions and the
// rooms' newest ids behind unread counts; every new event validated and refused where it must be.
import { describe, expect, it } from "vitest";
import { record, request, waitFor, type Joined } from "./support/clients.js";
import { useServer } from "./support/harness.js";

const server = useServer();
const enter = server.enter;

const unavailable = (name: string) => ({
  ok: false,
  error: { code: "do_not_disturb", message: `${name} is unavailable` },
});

async function pair(alice: Joined, bob: Joined) {
  const opened = waitFor(bob.socket, "private:opened");
  expect(await request(alice.socket, "private:open", { with: bob.session.user.id })).toMatchObject({
    ok: true,
  });
  return (await opened).chat.id;
}

describe("do not disturb", () => {
  it("refuses a private chat toward an Unavailable person, opens nothing there, and keeps the notice", async () => {
    const ana = await enter("Ana");
    const ben = await enter("Ben");
    await request(ben.socket, "presence:set", { status: "unavailable" });
    const disturbed = [record(ben.socket, "private:opened"), record(ben.socket, "reach:attempt")];

    expect(await request(ana.socket, "private:open", { with: ben.session.user.id })).toEqual(
      unavailable("Ben"),
    );
    // While Unavailable, not even the notice comes.
    expect(await request(ben.socket, "reach:sync", {})).toMatchObject({ ok: true, attempts: [] });

    await request(ben.socket, "presence:set", { status: "online" });
    const synced = await request(ben.socket, "reach:sync", {});
    expect(synced).toMatchObject({
      ok: true,
      attempts: [{ from: { id: ana.session.user.id, name: "Ana" }, kind: "chat", at: expect.any(Number) }],
    });
    // It survives a reload: a new tab of the same session is told too.
    const tab = server.open({ token: ben.session.token });
    await waitFor(tab, "session:ready");
    expect((await request(tab, "reach:sync", {})).attempts).toHaveLength(1);

    // Dismissed in one tab, gone from every tab and from the Store.
    const gone = waitFor(tab, "reach:dismissed");
    expect(await request(ben.socket, "reach:dismiss", { from: ana.session.user.id })).toEqual({ ok: true });
    expect(await gone).toEqual({ from: ana.session.user.id });
    expect((await request(tab, "reach:sync", {})).attempts).toEqual([]);
    expect(disturbed.flat()).toEqual([]);
  });

  it("refuses to ring an Unavailable partner in an open chat", async () => {
    const ana = await enter("Ana");
    const ben = await enter("Ben");
    await pair(ana, ben);
    await request(ben.socket, "presence:set", { status: "unavailable" });
    const rung = record(ben.socket, "call:incoming");
    expect(await request(ana.socket, "call:invite", {})).toEqual(unavailable("Ben"));
    await request(ben.socket, "presence:set", { status: "online" });
    expect((await request(ben.socket, "reach:sync", {})).attempts).toMatchObject([{ kind: "call" }]);
    expect(rung).toEqual([]);
  });

  it("refuses a group-call invitation toward an Unavailable member", async () => {
    const ana = await enter("Ana");
    const ben = await enter("Ben");
    expect(await request(ana.socket, "group:start", {})).toMatchObject({ ok: true });
    await request(ben.socket, "presence:set", { status: "unavailable" });
    const invited = record(ben.socket, "group:invited");
    expect(await request(ana.socket, "group:invite", { with: ben.session.user.id })).toEqual(
      unavailable("Ben"),
    );
    await request(ben.socket, "presence:set", { status: "online" });
    expect((await request(ben.socket, "reach:sync", {})).attempts).toMatchObject([{ kind: "group" }]);
    expect(invited).toEqual([]);
  });

  it("refuses a group-call invitation from someone in no call as such, keeping no notice", async () => {
    const ana = await enter("Ana");
    const ben = await enter("Ben");
    await request(ben.socket, "presence:set", { status: "unavailable" });
    expect(await request(ana.socket, "group:invite", { with: ben.session.user.id })).toMatchObject({
      ok: false,
      error: { code: "no_call" },
    });
    await request(ben.socket, "presence:set", { status: "online" });
    expect((await request(ben.socket, "reach:sync", {})).attempts).toEqual([]);
  });

  it("refuses a chat from someone already talking as such, keeping no notice for the Unavailable", async () => {
    const ana = await enter("Ana");
    const ben = await enter("Ben");
    const cy = await enter("Cy");
    await pair(ana, cy);
    await request(ben.socket, "presence:set", { status: "unavailable" });
    const told = record(ben.socket, "reach:attempt");
    expect(await request(ana.socket, "private:open", { with: ben.session.user.id })).toMatchObject({
      ok: false,
      error: { code: "already_in_chat" },
    });
    await request(ben.socket, "presence:set", { status: "online" });
    expect((await request(ben.socket, "reach:sync", {})).attempts).toEqual([]);
    expect(told).toEqual([]);
  });

  it("tells a busy person at once who tried to open a chat with them", async () => {
    const ana = await enter("Ana");
    const ben = await enter("Ben");
    const cy = await enter("Cy");
    await pair(ana, ben);
    const told = waitFor(ben.socket, "reach:attempt");
    expect(await request(cy.socket, "private:open", { with: ben.session.user.id })).toMatchObject({
      ok: false,
      error: { code: "partner_busy" },
    });
    expect(await told).toMatchObject({ from: { id: cy.session.user.id, name: "Cy" }, kind: "chat" });
    expect((await request(ben.socket, "reach:sync", {})).attempts).toHaveLength(1);
  });

  it("validates reach:dismiss", async () => {
    const ana = await enter("Ana");
    expect(await request(ana.socket, "reach:dismiss", { from: "" })).toMatchObject({
      ok: false,
      error: { code: "invalid_payload" },
    });
    expect(await request(ana.socket, "reach:sync", { extra: 1 } as never)).toMatchObject({
      ok: false,
      error: { code: "invalid_payload" },
    });
  });
});

describe("unread counts", () => {
  it("starts each room at its newest id and moves the user's position in every tab", async () => {
    const ana = await enter("Ana");
    const ben = await enter("Ben", "SPORTS");
    const first = await request(ben.socket, "room:message", { text: "one" });
    const synced = await request(ana.socket, "reach:sync", {});
    const firstId = (first.message as { id: number }).id;
    expect(synced).toMatchObject({ ok: true, lastRead: { SPORTS: firstId }, latest: { SPORTS: firstId } });

    // Watchers hear the newest ids of rooms with messages, coalesced (no message of the room itself).
    await request(ana.socket, "rooms:watch", { watch: true });
    const latest = waitFor(ana.socket, "rooms:latest", (p) =>
      p.rooms.some((r) => r.name === "SPORTS" && r.lastMessageId === firstId + 2),
    );
    await request(ben.socket, "room:message", { text: "two" });
    await request(ben.socket, "room:message", { text: "three" });
    await latest;
    const later = await request(ana.socket, "reach:sync", {});
    expect(
      (later.latest as Record<string, number>).SPORTS! - (later.lastRead as Record<string, number>).SPORTS!,
    ).toBe(2);

    // Ben reads his room: his other tab hears it; a position is clamped to the newest id.
    const tab = server.open({ token: ben.session.token });
    await waitFor(tab, "session:ready");
    const heard = waitFor(tab, "room:read");
    expect(await request(ben.socket, "room:read", { room: "SPORTS", id: firstId + 99 })).toEqual({
      ok: true,
      id: firstId + 2,
    });
    expect(await heard).toEqual({ room: "SPORTS", id: firstId + 2 });
  });

  it("refuses room:read for a room the user is not in, and a bad id", async () => {
    const ana = await enter("Ana");
    expect(await request(ana.socket, "room:read", { room: "SPORTS", id: 1 })).toMatchObject({
      ok: false,
      error: { code: "not_in_room" },
    });
    expect(await request(ana.socket, "room:read", { room: "GENERAL", id: -1 })).toMatchObject({
      ok: false,
      error: { code: "invalid_payload" },
    });
  });
});

describe("files peer to peer", () => {
  const offer = { fileId: "file-0001", name: "notes.txt", size: 1234, type: "text/plain" };

  it("relays the offer, the answer, signals and a cancel between the partners only", async () => {
    const ana = await enter("Ana");
    const ben = await enter("Ben");
    const cy = await enter("Cy");
    await pair(ana, ben);
    const cyHears = [record(cy.socket, "file:offered"), record(cy.socket, "file:signal")];

    const offered = waitFor(ben.socket, "file:offered");
    expect(await request(ana.socket, "file:offer", offer)).toMatchObject({
      ok: true,
      iceServers: expect.any(Array),
      iceTransportPolicy: "all",
    });
    expect(await offered).toEqual({ ...offer, from: { id: ana.session.user.id, name: "Ana" } });

    const answered = waitFor(ana.socket, "file:answered");
    expect(await request(ben.socket, "file:answer", { fileId: offer.fileId, accept: true })).toMatchObject({
      ok: true,
      iceServers: expect.any(Array),
    });
    expect(await answered).toEqual({ fileId: offer.fileId, accept: true });

    const signal = waitFor(ben.socket, "file:signal");
    const description = { type: "offer" as const, sdp: "v=0" };
    expect(await request(ana.socket, "file:signal", { fileId: offer.fileId, description })).toEqual({
      ok: true,
    });
    expect(await signal).toEqual({ fileId: offer.fileId, description });

    const cancelled = waitFor(ana.socket, "file:cancelled");
    expect(await request(ben.socket, "file:cancel", { fileId: offer.fileId })).toEqual({ ok: true });
    expect(await cancelled).toEqual({ fileId: offer.fileId, by: { id: ben.session.user.id, name: "Ben" } });
    expect(cyHears.flat()).toEqual([]);
  });

  it("answers only the partner's pending offer, once: no TURN credentials without one", async () => {
    const ana = await enter("Ana");
    const ben = await enter("Ben");
    await pair(ana, ben);
    const noOffer = {
      ok: false,
      error: { code: "no_file_offer", message: "That file is no longer offered." },
    };
    // Nothing offered: an accept gets an error, not ICE servers.
    expect(await request(ben.socket, "file:answer", { fileId: offer.fileId, accept: true })).toEqual(noOffer);
    expect(await request(ana.socket, "file:offer", offer)).toMatchObject({ ok: true });
    // The sender cannot answer its own offer; the partner can, once.
    expect(await request(ana.socket, "file:answer", { fileId: offer.fileId, accept: true })).toEqual(noOffer);
    expect(await request(ben.socket, "file:answer", { fileId: offer.fileId, accept: true })).toMatchObject({
      ok: true,
      iceServers: expect.any(Array),
    });
    expect(await request(ben.socket, "file:answer", { fileId: offer.fileId, accept: true })).toEqual(noOffer);
    // A cancelled offer cannot be accepted.
    const second = { ...offer, fileId: "file-0002" };
    expect(await request(ana.socket, "file:offer", second)).toMatchObject({ ok: true });
    expect(await request(ana.socket, "file:cancel", { fileId: second.fileId })).toEqual({ ok: true });
    expect(await request(ben.socket, "file:answer", { fileId: second.fileId, accept: true })).toEqual(
      noOffer,
    );
  });

  it("refuses files outside a private chat, past the size limit, and malformed", async () => {
    const ana = await enter("Ana");
    const ben = await enter("Ben");
    expect(await request(ana.socket, "file:offer", offer)).toMatchObject({
      ok: false,
      error: { code: "no_private_chat" },
    });
    for (const event of ["file:cancel", "file:signal", "file:answer"] as const) {
      const payload =
        event === "file:signal"
          ? { fileId: offer.fileId, candidate: null }
          : event === "file:answer"
            ? { fileId: offer.fileId, accept: false }
            : { fileId: offer.fileId };
      expect(await request(ana.socket, event, payload as never)).toMatchObject({
        ok: false,
        error: { code: "no_private_chat" },
      });
    }
    await pair(ana, ben);
    expect(await request(ana.socket, "file:offer", { ...offer, size: 100 * 1024 * 1024 + 1 })).toEqual({
      ok: false,
      error: { code: "file_too_large", message: "That file is too large: the limit is 100 MB." },
    });
    expect(await request(ana.socket, "file:offer", { ...offer, fileId: "x" })).toMatchObject({
      ok: false,
      error: { code: "invalid_payload" },
    });
    expect(
      await request(ana.socket, "file:signal", {
        fileId: offer.fileId,
        candidate: null,
        description: { type: "offer" },
      }),
    ).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
  });
});
