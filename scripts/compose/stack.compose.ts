// The Compose stack for real: builds the images, brings every service up, waits for every healthcheck,
// then two people on different instances meet through nginx (join, see each other, talk, private chat),
// coturn answers STUN, and `down -v` leaves no container or network behind. Runs on Compose v2 or v1.
import { spawnSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { io as connect } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreateSessionResponse, HealthResponse } from "../../server/src/protocol.js";
import type { ClientSocket } from "../../server/test/support/clients.js";
import { request, waitFor } from "../../server/test/support/clients.js";
import { accepts } from "../cluster/processes.js";
import { composeProject, leftovers, requireDockerEngine, stunBinding, type Project } from "./docker.js";

const root = new URL("../..", import.meta.url).pathname;
/** What docker-compose.yml publishes. */
const WEB = "http://127.0.0.1:8080";
const TURN_PORT = 3478;

let project: Project;
let up = false;
const sockets: ClientSocket[] = [];

/** Each container of the project with its health (or state, for those without a healthcheck). */
async function states(): Promise<{ name: string; state: string }[]> {
  const ids = (await project.run(["ps", "-q"], { quiet: true })).split("\n").filter(Boolean);
  if (ids.length === 0) return [];
  const format = "{{.Name}} {{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}";
  const inspect = spawnSync("docker", ["inspect", "--format", format, ...ids], { encoding: "utf8" });
  return inspect.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => ({ name: line.split(" ")[0]!.replace(/^\//, ""), state: line.split(" ")[1]! }));
}

/** A tab id that nginx's consistent hash sends to `instanceId`. */
async function tabOn(instanceId: string): Promise<string> {
  for (let attempt = 0; attempt < 64; attempt++) {
    const tab = `${instanceId}-${attempt}-${Math.random().toString(36).slice(2, 10)}`;
    const health = (await (await fetch(`${WEB}/api/health?tab=${tab}`)).json()) as HealthResponse;
    if (health.instanceId === instanceId) return tab;
  }
  throw new Error(`no tab reached ${instanceId}`);
}

async function person(name: string, instanceId: string) {
  const response = await fetch(`${WEB}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: WEB },
    body: JSON.stringify({ name, room: "GENERAL" }),
  });
  expect(response.status, `${name}: ${await response.clone().text()}`).toBe(201);
  const session = (await response.json()) as CreateSessionResponse;
  const socket = connect(WEB, {
    auth: { token: session.token },
    query: { tab: await tabOn(instanceId) },
    transports: ["websocket"],
    extraHeaders: { origin: WEB },
    reconnection: false,
    forceNew: true,
  }) as ClientSocket;
  sockets.push(socket);
  const ready = await waitFor(socket, "session:ready");
  return { session, socket, ready };
}

beforeAll(async () => {
  requireDockerEngine();
  for (const port of [8080, TURN_PORT])
    if (await accepts(port)) throw new Error(`port ${port} is taken: the stack publishes it; free it first`);
  project = composeProject(root);
  console.log(`compose project ${project.name}`);
  await project.run(["build"]);
  up = true;
  await project.run(["up", "-d"]);
});

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  if (up) await project.run(["down", "-v", "--remove-orphans"]).catch(() => undefined);
});

describe("docker compose up", () => {
  it("brings every service up and healthy", async () => {
    const deadline = Date.now() + 300_000;
    let seen: { name: string; state: string }[];
    for (;;) {
      seen = await states();
      const ready =
        seen.length === 5 && seen.every(({ state }) => state === "healthy" || state === "running");
      if (ready) break;
      if (seen.some(({ state }) => state === "unhealthy" || state === "exited" || state === "dead"))
        throw new Error(
          `a service failed: ${JSON.stringify(seen)}\n${await project.run(["logs"], { quiet: true })}`,
        );
      if (Date.now() > deadline) throw new Error(`not healthy in time: ${JSON.stringify(seen)}`);
      await sleep(2_000);
    }
    console.log(seen.map(({ name, state }) => `${name}: ${state}`).join("\n"));
    // Those with a healthcheck (Redis, the instances) are healthy, not merely running.
    for (const service of ["redis", "app1", "app2"])
      expect(
        seen.find(({ name }) => name.includes(`_${service}_`) || name.includes(`-${service}-`))?.state,
      ).toBe("healthy");
  });

  it("lets two people on different instances meet through nginx: room, messages, private chat", async () => {
    const alice = await person("Alice", "app1");
    const bobJoins = waitFor(alice.socket, "room:member-joined");
    const bob = await person("Bob", "app2");
    expect((await bobJoins).member.name).toBe("Bob");

    const heard = waitFor(bob.socket, "room:message");
    expect((await request(alice.socket, "room:message", { text: "hello from app1" })).ok).toBe(true);
    expect((await heard).text).toBe("hello from app1");

    const opened = waitFor(bob.socket, "private:opened");
    const open = await request(alice.socket, "private:open", { with: bob.session.user.id });
    expect(open.ok, JSON.stringify(open)).toBe(true);
    await opened;
    const whispered = waitFor(bob.socket, "private:message");
    expect((await request(alice.socket, "private:message", { text: "just us" })).ok).toBe(true);
    expect((await whispered).text).toBe("just us");
  });

  it("has coturn answering STUN on its published port", async () => {
    expect(await stunBinding("127.0.0.1", TURN_PORT)).toBe(true);
  });

  it("tears down with `down -v`, leaving no container or network", async () => {
    await project.run(["down", "-v", "--remove-orphans"]);
    up = false;
    expect(leftovers(project.name)).toEqual({ containers: [], networks: [] });
  });
});
