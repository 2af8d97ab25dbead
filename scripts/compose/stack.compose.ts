// The Compose stack for real: builds the images, brings every service up, waits for every healthcheck,
// then two people on different instances meet through nginx (join, see each other, talk, private chat),
// coturn answers STUN, a group call goes through the janus service, and `down -v` leaves no container or
// network behind. Runs on Compose v2 or v1.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GroupCall } from "@videochat/protocol";
import type { ClientSocket } from "../../server/test/support/clients.js";
import { request, waitFor } from "../../server/test/support/clients.js";
import { accepts } from "../cluster/processes.js";
import {
  composeProject,
  freeUdpRange,
  leftovers,
  requireDockerEngine,
  stunBinding,
  type Project,
} from "./docker.js";
import { isService, person as join, TURN_PORT, untilHealthy, WEB } from "./stack.js";

const root = new URL("../..", import.meta.url).pathname;

let project: Project;
let up = false;
const sockets: ClientSocket[] = [];

async function person(name: string, instanceId: string) {
  const someone = await join(name, instanceId);
  sockets.push(someone.socket);
  return someone;
}

beforeAll(async () => {
  requireDockerEngine();
  for (const port of [8080, TURN_PORT])
    if (await accepts(port)) throw new Error(`port ${port} is taken: the stack publishes it; free it first`);
  // No JANUS_API_SECRET from the shell: the janus service generates one (checked below).
  // Janus's media range published where nothing else listens (a native Janus takes 20000 up).
  project = composeProject(root, { JANUS_API_SECRET: "", JANUS_RTP_PORT_RANGE: await freeUdpRange() });
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
    const seen = await untilHealthy(project, 6);
    console.log(seen.map(({ name, state }) => `${name}: ${state}`).join("\n"));
    // Those with a healthcheck (Redis, the instances, Janus) are healthy, not merely running.
    for (const service of ["redis", "app1", "app2", "janus"])
      expect(seen.find(({ name }) => isService(name, service))?.state).toBe("healthy");
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

  it("serves /metrics on each instance's METRICS_PORT inside the network, and never through nginx", async () => {
    const scrape = "fetch('http://127.0.0.1:9464/metrics').then((r) => r.text()).then((t) => console.log(t))";
    for (const app of ["app1", "app2"]) {
      const text = await project.run(["exec", "-T", app, "node", "-e", scrape], { quiet: true });
      expect(text, app).toMatch(new RegExp(`^videochat_sockets\\{instance_id="${app}"\\} \\d`, "m"));
    }
    expect(await (await fetch(`${WEB}/metrics`)).text()).not.toMatch(/videochat_/);
  });

  it("has coturn answering STUN on its published port", async () => {
    expect(await stunBinding("127.0.0.1", TURN_PORT)).toBe(true);
  });

  it("runs group calls through the janus service: the app says SFU, and people on both instances join its VideoRoom", async () => {
    // Janus runs unprivileged, with the API secret it generated at its first start (none was set).
    expect((await project.run(["exec", "-T", "janus", "id", "-un"], { quiet: true })).trim()).toBe("janus");
    const secret = ["exec", "-T", "janus", "cat", "/var/lib/janus/secret/api_secret"];
    expect((await project.run(secret, { quiet: true })).trim()).toMatch(/^[0-9a-f]{48}$/);

    const carol = await person("Carol", "app1");
    const dave = await person("Dave", "app2");
    const started = (await request(carol.socket, "group:start", {})) as unknown as { call: GroupCall };
    const callId = started.call.id;
    expect((await request(dave.socket, "group:join", { callId })).ok).toBe(true);
    for (const someone of [carol, dave]) {
      expect(await request(someone.socket, "call:ice-servers", {}), someone.name).toMatchObject({
        ok: true,
        sfu: true,
      });
      // A place in the call's VideoRoom: the instance reached Janus with the secret and created the room.
      expect(await request(someone.socket, "sfu:join", { callId }), someone.name).toEqual({ ok: true });
    }
  });

  it("tears down with `down -v`, leaving no container or network", async () => {
    await project.run(["down", "-v", "--remove-orphans"]);
    up = false;
    expect(leftovers(project.name)).toEqual({ containers: [], networks: [] });
  });
});
