// What the Compose tests do with a running stack: read each container's health, wait for all of them,
// and bring people in through nginx onto a chosen instance.
import { spawnSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { io as connect } from "socket.io-client";
import type { CreateSessionResponse, HealthResponse, RoomState } from "@videochat/protocol";
import type { ClientSocket } from "../../server/test/support/clients.js";
import { waitFor } from "../../server/test/support/clients.js";
import type { Project } from "./docker.js";

/** What docker-compose.yml publishes. */
export const WEB = "http://127.0.0.1:8080";
export const TURN_PORT = 3478;

export interface ContainerState {
  name: string;
  /** Its healthcheck's status, or its state (running, exited, …) when it has none. */
  state: string;
}

/** Each container of the project with its health (or state, for those without a healthcheck). */
export async function states(project: Project): Promise<ContainerState[]> {
  const ids = (await project.run(["ps", "-q"], { quiet: true })).split("\n").filter(Boolean);
  if (ids.length === 0) return [];
  const format = "{{.Name}} {{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}";
  const inspect = spawnSync("docker", ["inspect", "--format", format, ...ids], { encoding: "utf8" });
  return inspect.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => ({ name: line.split(" ")[0]!.replace(/^\//, ""), state: line.split(" ")[1]! }));
}

/** Whether a container name (v1: `project_service_1`, v2: `project-service-1`) is of `service`. */
export const isService = (name: string, service: string) =>
  name.includes(`_${service}_`) || name.includes(`-${service}-`);

/**
 * Until `count` containers run, each healthy or (without a healthcheck) running; throws with the logs
 * as soon as one is unhealthy or exited, or after `timeoutMs`. Resolves with the states seen.
 */
export async function untilHealthy(project: Project, count: number, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await states(project);
    const ready =
      seen.length === count && seen.every(({ state }) => state === "healthy" || state === "running");
    if (ready) return seen;
    if (seen.some(({ state }) => state === "unhealthy" || state === "exited" || state === "dead"))
      throw new Error(
        `a service failed: ${JSON.stringify(seen)}\n${await project.run(["logs"], { quiet: true })}`,
      );
    if (Date.now() > deadline) throw new Error(`not healthy in time: ${JSON.stringify(seen)}`);
    // Polling Docker's view: no event to wait on.
    await sleep(2_000);
  }
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

export interface Person {
  name: string;
  session: CreateSessionResponse;
  userId: string;
  instanceId: string;
  tab: string;
  socket: ClientSocket;
  /** The room state the tab entered with. */
  state: RoomState;
}

/**
 * Someone who joins GENERAL through nginx with a tab on `instanceId`, as a page of the published origin
 * would. `reconnect`: the socket reconnects by itself (same token), as the SPA's does.
 */
export async function person(name: string, instanceId: string, reconnect = false): Promise<Person> {
  const response = await fetch(`${WEB}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: WEB },
    body: JSON.stringify({ name, room: "GENERAL" }),
  });
  if (response.status !== 201) throw new Error(`${name}: ${response.status} ${await response.text()}`);
  const session = (await response.json()) as CreateSessionResponse;
  const tab = await tabOn(instanceId);
  const socket = connect(WEB, {
    auth: { token: session.token },
    query: { tab },
    transports: ["websocket"],
    extraHeaders: { origin: WEB },
    reconnection: reconnect,
    forceNew: true,
  }) as ClientSocket;
  const [, state] = await Promise.all([waitFor(socket, "session:ready"), waitFor(socket, "room:state")]);
  return { name, session, userId: session.user.id, instanceId, tab, socket, state };
}
