// Raised hands and reactions over real sockets: only a participant of the call may send them, payloads
// are validated and each family is limited; a hand is kept with the call (a reload and another instance
// see it), a reaction reaches the others of the call, 1:1 or group, and nobody else.
import { describe, expect, it } from "vitest";
import type { GroupCall } from "@videochat/protocol";
import { record, request, waitFor, type Joined } from "./support/clients.js";
import { useInstancesOnRedis, useServer } from "./support/harness.js";

/** Ann opens a chat with Bo and calls him; Bo accepts. The call's id. */
async function privateCallOf(ann: Joined, bo: Joined): Promise<string> {
  const opened = waitFor(bo.socket, "private:opened");
  await request(ann.socket, "private:open", { with: bo.session.user.id });
  await opened;
  const invited = (await request(ann.socket, "call:invite", {})) as unknown as { call: { id: string } };
  await request(bo.socket, "call:answer", { callId: invited.call.id, accept: true });
  return invited.call.id;
}

async function groupCallOf(first: Joined, ...rest: Joined[]): Promise<string> {
  const started = (await request(first.socket, "group:start", {})) as unknown as { call: GroupCall };
  for (const person of rest) await request(person.socket, "group:join", { callId: started.call.id });
  return started.call.id;
}

describe("hands and reactions on one instance", () => {
  const server = useServer({ RATE_LIMITS: "call-hand=4/10,call-reaction=2/10" });

  it("shows a participant's raised hand to the whole room, and refuses anyone outside the call", async () => {
    const [ann, bo, cy] = await Promise.all(["Ann", "Bo", "Cy"].map((n) => server.enter(n)));
    const callId = await groupCallOf(ann!, bo!);
    const seenByCy = waitFor(cy!.socket, "group:state", (s) => Object.keys(s.call?.hands ?? {}).length > 0);
    expect(await request(bo!.socket, "group:hand", { callId, raised: true })).toEqual({ ok: true });
    expect(Object.keys((await seenByCy).call!.hands!)).toEqual([bo!.session.user.id]);
    // Cy is in the room but not in the call; Ann names a call that is not hers.
    for (const [who, id] of [
      [cy!, callId],
      [ann!, "another-call"],
    ] as const) {
      expect(await request(who.socket, "group:hand", { callId: id, raised: true })).toMatchObject({
        ok: false,
        error: { code: "no_call", message: "You are not in a call." },
      });
    }
    const lowered = waitFor(ann!.socket, "group:state", (s) => Object.keys(s.call?.hands ?? {}).length === 0);
    await request(bo!.socket, "group:hand", { callId, raised: false });
    await lowered;
  });

  it("shows a hand raised in a 1:1 call to both sides and to a reloaded page, and refuses anyone else", async () => {
    const [ann, bo, cy] = await Promise.all(["Ann", "Bo", "Cy"].map((n) => server.enter(n)));
    const callId = await privateCallOf(ann!, bo!);
    const atCy = record(cy!.socket, "call:hands");
    const atAnn = waitFor(ann!.socket, "call:hands");
    const atBo = waitFor(bo!.socket, "call:hands");
    expect(await request(bo!.socket, "call:hand", { callId, raised: true })).toEqual({ ok: true });
    for (const seen of [await atAnn, await atBo]) {
      expect(seen).toEqual({ callId, hands: { [bo!.session.user.id]: expect.any(Number) as unknown } });
    }
    // Cy is in the room but not in the call; Ann names a call that is not hers; nobody forges a sender.
    for (const [who, id] of [
      [cy!, callId],
      [ann!, "another-call"],
    ] as const) {
      expect(await request(who.socket, "call:hand", { callId: id, raised: true })).toMatchObject({
        error: { code: "no_call" },
      });
    }
    expect(
      await request(ann!.socket, "call:hand", { callId, raised: true, userId: bo!.session.user.id } as never),
    ).toMatchObject({ error: { code: "invalid_payload" } });
    // A new page of Bo's (a reload) finds the hand with the call.
    const reloaded = server.open({ token: bo!.session.token });
    const { call } = await waitFor(reloaded, "private:opened");
    expect(Object.keys(call?.hands ?? {})).toEqual([bo!.session.user.id]);
    const lowered = waitFor(ann!.socket, "call:hands", (h) => Object.keys(h.hands).length === 0);
    expect(await request(bo!.socket, "call:hand", { callId, raised: false })).toEqual({ ok: true });
    await lowered;
    expect(atCy).toEqual([]);
  });

  it("validates hand and reaction payloads: no forged sender, only the listed emoji", async () => {
    const [ann, bo] = await Promise.all(["Ann", "Bo"].map((n) => server.enter(n)));
    const callId = await groupCallOf(ann!, bo!);
    for (const [event, payload] of [
      ["group:hand", { callId, raised: "yes" }],
      ["group:hand", { callId, raised: true, userId: bo!.session.user.id }],
      ["call:reaction", { callId, reaction: "💩" }],
      ["call:reaction", { callId, reaction: "<b>hi</b>" }],
      ["call:reaction", { callId, reaction: "👍", user: { id: bo!.session.user.id, name: "Bo" } }],
      ["call:reaction", { reaction: "👍" }],
    ] as const) {
      expect(await request(ann!.socket, event, payload as never)).toMatchObject({
        ok: false,
        error: { code: "invalid_payload" },
      });
    }
  });

  it("sends a reaction to the others of a group call only, named from the session", async () => {
    const [ann, bo, cy, dee] = await Promise.all(["Ann", "Bo", "Cy", "Dee"].map((n) => server.enter(n)));
    const callId = await groupCallOf(ann!, bo!, cy!);
    const atAnn = record(ann!.socket, "call:reaction");
    const atDee = record(dee!.socket, "call:reaction");
    const atBo = waitFor(bo!.socket, "call:reaction");
    const atCy = waitFor(cy!.socket, "call:reaction");
    expect(await request(ann!.socket, "call:reaction", { callId, reaction: "🎉" })).toEqual({ ok: true });
    const expected = { callId, user: { id: ann!.session.user.id, name: "Ann" }, reaction: "🎉" };
    expect(await atBo).toEqual(expected);
    expect(await atCy).toEqual(expected);
    expect(await request(dee!.socket, "call:reaction", { callId, reaction: "👍" })).toMatchObject({
      error: { code: "no_call" },
    });
    // Bo's reaction reaches Ann; Dee, in the room but not in the call, has had none of them.
    const fromBo = waitFor(ann!.socket, "call:reaction");
    await request(bo!.socket, "call:reaction", { callId, reaction: "👍" });
    await fromBo;
    expect(atAnn.map((r) => r.user.name)).toEqual(["Bo"]);
    expect(atDee).toEqual([]);
  });

  it("sends a reaction to the partner of a 1:1 call, and limits reactions and hands per user", async () => {
    const [ann, bo] = await Promise.all(["Ann", "Bo"].map((n) => server.enter(n)));
    await request(ann!.socket, "private:open", { with: bo!.session.user.id });
    const invited = (await request(ann!.socket, "call:invite", {})) as unknown as { call: { id: string } };
    const callId = invited.call.id;
    await request(bo!.socket, "call:answer", { callId, accept: true });
    const atBo = waitFor(bo!.socket, "call:reaction");
    expect(await request(ann!.socket, "call:reaction", { callId, reaction: "❤️" })).toEqual({ ok: true });
    expect(await atBo).toMatchObject({ callId, user: { name: "Ann" }, reaction: "❤️" });
    expect(await request(ann!.socket, "call:reaction", { callId: "old-call", reaction: "❤️" })).toMatchObject(
      {
        error: { code: "no_call" },
      },
    );
    // The second was refused as no call, yet counted: the budget is 2 per 10 s.
    expect(await request(ann!.socket, "call:reaction", { callId, reaction: "👏" })).toMatchObject({
      ok: false,
      error: { code: "rate_limited" },
    });
    // Hands have their own budget (4), spent here on refusals: Ann's 1:1 call is no group call.
    for (let i = 0; i < 4; i += 1) {
      expect(await request(ann!.socket, "group:hand", { callId, raised: true })).toMatchObject({
        error: { code: "no_call" },
      });
    }
    expect(await request(ann!.socket, "group:hand", { callId, raised: true })).toMatchObject({
      error: { code: "rate_limited" },
    });
  });
});

describe("hands and reactions across two instances on one Redis", () => {
  const instances = useInstancesOnRedis(["h1", "h2"]);

  it("shows a hand raised on one instance on the other and in the room's state, and relays reactions", async () => {
    const ann = await instances.enter(0, "Ann");
    const bo = await instances.enter(1, "Bo");
    const callId = await groupCallOf(ann, bo);
    const seen = waitFor(bo.socket, "group:state", (s) => Boolean(s.call?.hands?.[ann.session.user.id]));
    await request(ann.socket, "group:hand", { callId, raised: true });
    await seen;
    const reaction = waitFor(ann.socket, "call:reaction");
    await request(bo.socket, "call:reaction", { callId, reaction: "😂" });
    expect(await reaction).toMatchObject({ user: { name: "Bo" }, reaction: "😂" });
    // The room's state has it, as a reloaded page or a newcomer on the other instance gets it.
    const again = await instances.enter(0, "Cy");
    expect(Object.keys(again.state.groupCall?.hands ?? {})).toEqual([ann.session.user.id]);
  });

  it("shows a hand raised in a 1:1 call on one instance to the partner on the other", async () => {
    const dee = await instances.enter(0, "Dee");
    const eve = await instances.enter(1, "Eve");
    const callId = await privateCallOf(dee, eve);
    const seen = waitFor(eve.socket, "call:hands");
    await request(dee.socket, "call:hand", { callId, raised: true });
    expect(Object.keys((await seen).hands)).toEqual([dee.session.user.id]);
  });
});
