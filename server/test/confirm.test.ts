// confirmState (realtime/announce.ts), as a unit: a room state read before the socket joined the
// room's channel is sent again only when a delta after it did not reach the socket, nor came soon after.
import { describe, expect, it } from "vitest";
import type { RoomState } from "../src/protocol.js";
import { confirmState } from "../src/realtime/announce.js";
import type { AppSocket } from "../src/realtime/deps.js";
import { memoryStore } from "../src/state/memory.js";
import type { Logger } from "../src/logger.js";

type Listener = (event: string, ...args: unknown[]) => void;

/** The room GENERAL at `version` changes (one member arrives per step), and a socket's outgoing side. */
async function setUp(changes: number) {
  const store = memoryStore();
  for (let i = 0; i < changes; i++) {
    const created = await store.createSession({
      name: `U${i}`,
      nameKey: `u${i}`,
      room: "GENERAL",
      graceDeadline: 0,
    });
    if (created.ok) await store.attachConnection(created.session.id, `c${i}`, 8);
  }
  const listeners = new Set<Listener>();
  const socket = {
    onAnyOutgoing: (listener: Listener) => listeners.add(listener),
    offAnyOutgoing: (listener: Listener) => listeners.delete(listener),
  } as unknown as AppSocket;
  const sent = (event: string, payload: unknown) => listeners.forEach((listener) => listener(event, payload));
  const resent: RoomState[] = [];
  const state: RoomState = {
    room: "GENERAL",
    roomSeq: 0,
    version: 1,
    members: [],
    history: [],
    groupCall: null,
  };
  const deps = { store, logger: { error: () => undefined } as unknown as Logger };
  const confirm = () => confirmState(deps, socket, (fresh) => resent.push(fresh), state);
  const settled = async () => {
    while (listeners.size > 0) await new Promise((resolve) => setImmediate(resolve));
  };
  return { sent, resent, confirm, settled };
}

describe("confirmState", () => {
  it("sends nothing more when the room did not change after the state", async () => {
    const { resent, confirm, settled } = await setUp(1);
    confirm();
    await settled();
    expect(resent).toEqual([]);
  });

  it("sends nothing more when every later delta reached the socket after its join", async () => {
    const { sent, resent, confirm, settled } = await setUp(3);
    confirm();
    sent("room:member-joined", { room: "GENERAL", version: 2 });
    sent("room:member-updated", { room: "GENERAL", version: 3 });
    await settled();
    expect(resent).toEqual([]);
  });

  it("waits for a later delta still on its way after the version is read again", async () => {
    const { sent, resent, confirm, settled } = await setUp(2);
    confirm();
    await new Promise((resolve) => setImmediate(resolve)); // the version has been read meanwhile
    sent("room:member-joined", { room: "GENERAL", version: 2 });
    await settled();
    expect(resent).toEqual([]);
  });

  it("sends the room's state again when a later delta did not reach the socket", async () => {
    const { sent, resent, confirm, settled } = await setUp(3);
    confirm();
    sent("room:member-joined", { room: "GENERAL", version: 3 }); // version 2 went out before the join
    sent("room:member-joined", { room: "SPORTS", version: 2 }); // another room's version is no match
    await settled();
    expect(resent).toHaveLength(1);
    expect(resent[0]).toMatchObject({ room: "GENERAL", roomSeq: 0, version: 3 });
    expect(resent[0]!.members.map((member) => member.name).sort()).toEqual(["U0", "U1", "U2"]);
  });
});
