import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "./support/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ ROOMS: "GENERAL,SPORTS,GAMES" });
});
afterAll(async () => {
  await server.close();
});

const api = () => request(server.instance.http);

describe("HTTP API", () => {
  it("reports health with the instance id and store kind", async () => {
    const response = await api().get("/api/health").expect(200);
    expect(response.body).toEqual({
      status: "ok",
      instanceId: server.instance.logger.bindings().instanceId,
      store: "memory",
      redis: "not_configured",
    });
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    expect(response.headers["x-powered-by"]).toBeUndefined();
  });

  it("lists the configured rooms with occupancy", async () => {
    const response = await api().get("/api/rooms").expect(200);
    expect(response.body.rooms).toEqual([
      { name: "GENERAL", count: 0, version: 0 },
      { name: "SPORTS", count: 0, version: 0 },
      { name: "GAMES", count: 0, version: 0 },
    ]);
  });

  it("creates a session with a trimmed, normalised name", async () => {
    const response = await api()
      .post("/api/session")
      .send({ name: "  Zoë   Ng ", room: "SPORTS" })
      .expect(201);
    expect(response.body.user.name).toBe("Zoë Ng");
    expect(response.body.room).toBe("SPORTS");
    // "<user id>.<secret>": the id says where the Store looks, 32 random bytes what it checks.
    expect(response.body.token).toMatch(new RegExp(`^${response.body.user.id}\\.[\\w-]{43}$`));
  });

  it.each([
    ["", "required"],
    ["   ", "required"],
    ["a".repeat(33), "at most 32"],
    ["<script>", "letters, digits"],
    ["tab\there", "letters, digits"],
  ])("rejects the name %j with a clear message", async (name, words) => {
    const response = await api().post("/api/session").send({ name, room: "GENERAL" }).expect(400);
    expect(response.body.error.code).toBe("invalid_name");
    expect(response.body.error.message).toContain(words);
  });

  it("accepts names in any script, up to 32 characters", async () => {
    for (const name of ["Łukasz_1", "東京 太郎", "Ольга-M.", "ا".repeat(32)]) {
      await api().post("/api/session").send({ name, room: "GENERAL" }).expect(201);
    }
  });

  it("refuses a name that is taken, whatever its case", async () => {
    await api().post("/api/session").send({ name: "Grace", room: "GENERAL" }).expect(201);
    const response = await api().post("/api/session").send({ name: "gRACE", room: "GAMES" }).expect(409);
    expect(response.body.error).toEqual({ code: "name_taken", message: expect.stringContaining("taken") });
  });

  describe("names that deceive (Unicode UTS #39 skeletons, default-ignorables)", () => {
    beforeAll(async () => {
      await api().post("/api/session").send({ name: "Ana", room: "GENERAL" }).expect(201);
    });

    it.each([
      ["Ana + U+034F COMBINING GRAPHEME JOINER", "Ana\u034F"],
      ["Ana + U+FE0F VARIATION SELECTOR-16", "Ana\uFE0F"],
      ["Ana + U+FE00 VARIATION SELECTOR-1", "Ana\uFE00"],
      ["Ana + U+180B MONGOLIAN FREE VARIATION SELECTOR ONE", "Ana\u180B"],
      ["Ana + U+3164 HANGUL FILLER", "Ana\u3164"],
      ["Ana, space, U+3164 HANGUL FILLER", "Ana \u3164"],
      ["Ana + U+200B ZERO WIDTH SPACE", "Ana\u200B"],
      ["Ana + U+2800 BRAILLE PATTERN BLANK", "Ana\u2800"],
      ["Аna with Cyrillic А", "\u0410na"],
      ["АNА in Cyrillic capitals", "\u0410N\u0410"],
      ["ΑΝΑ in Greek capitals", "\u0391\u039D\u0391"],
      ["ana in lower case", "ana"],
      ["Ana in fullwidth letters", "\uFF21\uFF4E\uFF41"],
    ])("with Ana live, %s is taken (409 name_taken)", async (_what, name) => {
      const response = await api().post("/api/session").send({ name, room: "GAMES" }).expect(409);
      expect(response.body.error).toEqual({ code: "name_taken", message: expect.stringContaining("taken") });
    });

    it.each([
      ["only U+3164 HANGUL FILLER", "\u3164\u3164\u3164"],
      ["only combining marks", "\u0301\u0301"],
      ["only U+2800 BRAILLE PATTERN BLANK", "\u2800\u2800"],
      ["only zero-width characters", "\u200B\u200D\u2060"],
      ["a letter-less mark and a variation selector", "\u0301\uFE0F"],
    ])("refuses a name of %s (400 invalid_name)", async (_what, name) => {
      const response = await api().post("/api/session").send({ name, room: "GENERAL" }).expect(400);
      expect(response.body.error).toEqual({
        code: "invalid_name",
        message: "A display name needs at least one visible letter or digit",
      });
    });

    it("shows a name without its invisible characters, and keeps different names apart", async () => {
      const eve = await api().post("/api/session").send({ name: "E\u200Bve\uFE0F", room: "GENERAL" });
      expect(eve.status).toBe(201);
      expect(eve.body.user.name).toBe("Eve");
      for (const name of ["Anna", "Ána", "Аня"]) {
        await api().post("/api/session").send({ name, room: "GENERAL" }).expect(201);
      }
    });
  });

  it("lets exactly one of 50 concurrent claims of one name win", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 50 }, () => api().post("/api/session").send({ name: "Racer", room: "GENERAL" })),
    ).then((responses) => responses.map((response) => response.status));
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(49);
  });

  it("rejects unknown rooms, unknown fields and malformed bodies with JSON errors", async () => {
    expect(
      (await api().post("/api/session").send({ name: "Nia", room: "NOPE" }).expect(400)).body.error.code,
    ).toBe("unknown_room");
    expect(
      (await api().post("/api/session").send({ name: "Nia", room: "GENERAL", id: "x" }).expect(400)).body
        .error.code,
    ).toBe("invalid_payload");
    const malformed = await api()
      .post("/api/session")
      .set("content-type", "application/json")
      .send("{nope")
      .expect(400);
    expect(malformed.body.error.message).toBe("The body is not valid JSON.");
    expect(JSON.stringify(malformed.body)).not.toContain("at ");
    const huge = await api()
      .post("/api/session")
      .send({ name: "x".repeat(100_000), room: "GENERAL" })
      .expect(413);
    expect(huge.body.error.code).toBe("invalid_payload");
    expect((await api().get("/api/nothing").expect(404)).body.error.message).toBe("No such API endpoint.");
  });
});
