// The native cluster (Redis + instances + nginx from the shipped template) for tests, and clients
// that go through nginx with a per-tab id, as the SPA does.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { io as connect } from "socket.io-client";
import { vi } from "vitest";
import { startInstance } from "../../../scripts/cluster/instances.js";
import { startCluster, type Cluster, type ClusterOptions } from "../../../scripts/cluster/topology.js";
import {
  applyDelta,
  fromSnapshot,
  supersedes,
  type MemberDelta,
} from "../../../client/src/features/room/members.js";
import type { HandshakeAuth, RoomState } from "@videochat/protocol";
import { createSession, waitFor, type ClientSocket } from "./clients.js";
import { ONE_ADDRESS } from "./server.js";

export async function startTestCluster(
  env: Record<string, string> = {},
  options: Pick<ClusterOptions, "sentinel"> = {},
): Promise<Cluster> {
  const dir = mkdtempSync(path.join(tmpdir(), "videochat-cluster-"));
  chmodSync(dir, 0o755); // nginx's workers run as nobody when the tests run as root
  const root = path.join(dir, "spa");
  mkdirSync(root);
  writeFileSync(path.join(root, "index.html"), "<!doctype html><title>Video chat</title>");
  return startCluster({
    dir,
    root,
    entry: "src",
    env: { LOG_LEVEL: "warn", ...ONE_ADDRESS, ...env },
    ...options,
  });
}

export interface TabUser {
  name: string;
  socket: ClientSocket;
  instanceId: string;
  userId: string;
  tab: string;
  /** The room state the tab entered with. */
  state: RoomState;
}

/** A tab that reconnects by itself through nginx, presenting its token and last message id. */
export function openTab(url: string, token: string, tab: string, transports = ["websocket"]) {
  const state: { lastMessageId?: number; lastRoom?: string } = {};
  const socket = connect(url, {
    // One page load: every reconnect presents the same page id, as the SPA does until a reload.
    auth: (cb: (auth: HandshakeAuth) => void) => cb({ token, page: `page-${tab}`, ...state }),
    query: { tab },
    transports,
    reconnectionDelay: 200,
    reconnectionDelayMax: 1_000,
    forceNew: true,
  }) as ClientSocket;
  socket.on("room:message", (message) => {
    state.lastMessageId = Math.max(state.lastMessageId ?? 0, message.id);
    state.lastRoom = message.room;
  });
  socket.on("room:state", (room) => {
    const last = room.history.at(-1);
    if (last) state.lastMessageId = Math.max(state.lastMessageId ?? 0, last.id);
    state.lastRoom = room.room;
  });
  return socket;
}

/** Joins through nginx, trying tab ids until the tab lands on `instanceId`. */
export async function joinOn(
  url: string,
  name: string,
  instanceId: string,
  options: { room?: string; transports?: string[] } = {},
): Promise<TabUser> {
  const session = await createSession(url, name, options.room ?? "GENERAL");
  for (let attempt = 0; attempt < 50; attempt++) {
    const tab = `${name}-${attempt}-${Math.random().toString(36).slice(2, 8)}`;
    const socket = openTab(url, session.token, tab, options.transports);
    const [ready, state] = await Promise.all([
      waitFor(socket, "session:ready"),
      waitFor(socket, "room:state"),
    ]);
    if (ready.instanceId === instanceId) {
      return { name, socket, instanceId, userId: session.user.id, tab, state };
    }
    socket.disconnect();
  }
  throw new Error(`no tab id of ${name} landed on ${instanceId}`);
}

/**
 * Starts instance `id` again on its port with the same INSTANCE_ID, as Compose's restart policy does
 * after a crash; the cluster's stop() then stops the new process.
 */
export async function restartInstance(cluster: Cluster, id: string, env: Record<string, string> = {}) {
  const index = cluster.instances.findIndex((instance) => instance.id === id);
  const old = cluster.instances[index]!;
  const fresh = await startInstance({
    id,
    port: old.port,
    entry: "src",
    env: { ...cluster.instanceEnv, ...env },
  });
  cluster.instances.splice(index, 1, fresh);
  return fresh;
}

/**
 * Waits (vi.waitFor, every 100 ms) until `check` holds, failing with `what` after `timeoutMs`;
 * resolves with how long it took (ms).
 */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const started = Date.now();
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`not reached in ${timeoutMs} ms: ${what}`);
    },
    { timeout: timeoutMs, interval: 100 },
  );
  return Date.now() - started;
}

/** Follows a tab's member list as the SPA does (snapshot + versioned deltas); returns the names now. */
export function trackMembers(user: Pick<TabUser, "socket" | "state">): () => string[] {
  let list = fromSnapshot(user.state);
  const apply = (delta: MemberDelta) => applyDelta(list, delta);
  user.socket.on("room:state", (state) => {
    if (supersedes(list, state)) list = fromSnapshot(state);
  });
  user.socket.on("room:member-left", (d) => apply({ kind: "left", ...d }));
  user.socket.on("room:member-joined", (d) => apply({ kind: "joined", ...d }));
  user.socket.on("room:member-updated", (d) => apply({ kind: "updated", ...d }));
  return () => [...list.members.values()].map((m) => m.name).sort();
}
