// "is typing…" in a room: told to the others in that room only, with the typist's name from the session.
import { describe, expect, it } from "vitest";
import { record, request, waitFor } from "./support/clients.js";
import { useServer } from "./support/harness.js";

describe("room typing", () => {
  const server = useServer();

  it("reaches the others in the room, never another room, and names the typist from the session", async () => {
    const ben = await server.enter("Ben");
    const cy = await server.enter("Cy");
    const elsewhere = await server.enter("Dee", "SPORTS");
    const heardElsewhere = record(elsewhere.socket, "room:typing");
    const heardByBen = record(ben.socket, "room:typing");

    const started = waitFor(cy.socket, "room:typing");
    expect(await request(ben.socket, "room:typing", { typing: true })).toEqual({ ok: true });
    expect(await started).toEqual({ room: "GENERAL", user: ben.session.user, typing: true });
    const stopped = waitFor(cy.socket, "room:typing", (t) => !t.typing);
    await request(ben.socket, "room:typing", { typing: false });
    await stopped;

    // A forged name or room is not part of the event: refused, not relayed.
    expect(await request(ben.socket, "room:typing", { typing: true, user: "Cy" } as never)).toMatchObject({
      ok: false,
      error: { code: "invalid_payload" },
    });
    await request(elsewhere.socket, "room:message", { text: "sync" }); // an event after, to flush
    expect(heardElsewhere).toEqual([]);
    expect(heardByBen).toEqual([]);
  });
});
