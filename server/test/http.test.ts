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
      { name: "GENERAL", count: 0 },
      { name: "SPORTS", count: 0 },
      { name: "GAMES", count: 0 },
    ]);
  });

  it("creates a session with a trimmed, normalised name", async () => {
    const response = await api()
      .post("/api/session")
      .send({ name: "  Zoë   Ng ", room: "SPORTS" })
      .expect(201);
    expect(response.body.user.name).toBe("Zoë Ng");
    expect(response.body.room).toBe("SPORTS");
    expect(response.body.token).toMatch(/^[\w-]{40,}$/);
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
