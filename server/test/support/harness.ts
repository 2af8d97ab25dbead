// One fresh in-process server per test, and users that are disconnected after it.
import { afterEach, beforeEach } from "vitest";
import { closeAll, join, openSocket, type ClientSocket, type Joined } from "./clients.js";
import type { HandshakeAuth } from "@videochat/protocol";
import { startServer, type TestServer } from "./server.js";

export function useServer(env: Record<string, string> = {}) {
  let server: TestServer | undefined;
  const sockets: ClientSocket[] = [];
  beforeEach(async () => {
    server = await startServer(env);
  });
  afterEach(async () => {
    closeAll(...sockets.splice(0));
    await server?.close();
  });
  const current = () => {
    if (!server) throw new Error("no server outside a test");
    return server;
  };
  return {
    get url() {
      return current().url;
    },
    /** The running instance (its Store and Socket.IO server). */
    get instance() {
      return current().instance;
    },
    /** Replaces the running server (e.g. with other settings). */
    restart: async (overrides: Record<string, string>) => {
      await current().close();
      server = await startServer({ ...env, ...overrides });
    },
    /** A user who joined `room` and holds its state; disconnected after the test. */
    enter: async (name: string, room = "GENERAL"): Promise<Joined> => {
      const user = await join(current().url, name, room);
      sockets.push(user.socket);
      return user;
    },
    /** Another connection (tab, reconnect) with a token; disconnected after the test. */
    open: (auth: HandshakeAuth, options?: { transports?: string[] }): ClientSocket => {
      const socket = openSocket(current().url, auth, options);
      sockets.push(socket);
      return socket;
    },
  };
}
