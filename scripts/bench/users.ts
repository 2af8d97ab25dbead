// The simulated users of one generator worker: real socket.io-client sockets holding real sessions,
// and receivers that stamp the arrival of one awaited broadcast at once, before anything else runs.
import { io as connect, type Socket } from "socket.io-client";
import { lazyParser } from "./parser.js";
import type { Collected, Joined, Match, UserSpec } from "./rpc.js";

export interface User {
  spec: UserSpec;
  userId: string;
  socket: Socket;
  /** Set before the bench closes the socket itself, so that the close is not an error. */
  closing: boolean;
}

interface Awaited {
  match: Match;
  pending: Set<string>;
  count: number;
  firstAt: bigint | null;
  lastAt: bigint | null;
  done: Promise<void>;
  finish: () => void;
}

/** How long a join may take before it counts as failed (socket.io-client's own connect timeout). */
const JOIN_TIMEOUT_MS = 20_000;

/** Whether an event's raw JSON (see parser.ts) is the awaited one: texts and names are unique per run. */
const matches = (match: Match, raw: string): boolean => {
  switch (match.event) {
    case "room:message":
      return raw.includes(`"text":${JSON.stringify(match.text)}`);
    case "room:member-updated":
      return raw.includes(`"id":"${match.memberId}"`) && raw.includes(`"status":"${match.status}"`);
    case "room:member-joined":
      return raw.includes(`"name":${JSON.stringify(match.name)}`);
  }
};

export class Users {
  readonly byHandle = new Map<string, User>();
  /** Events received by every socket here, by name, since the last reset. */
  received: Record<string, number> = {};
  private readonly awaited = new Map<string, Awaited>();

  constructor(private readonly fault: (message: string) => void) {}

  /** Claims the name, connects, and resolves once the joiner holds its room's state. */
  async join(spec: UserSpec): Promise<Joined> {
    const claimAt = process.hrtime.bigint();
    const response = await fetch(`${spec.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: spec.name, room: spec.room }),
    });
    if (response.status !== 201)
      throw new Error(`POST /api/session ${response.status}: ${(await response.text()).slice(0, 200)}`);
    const { token, user } = (await response.json()) as { token: string; user: { id: string } };
    const connectAt = process.hrtime.bigint();
    const socket = connect(spec.url, {
      auth: { token },
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      timeout: JOIN_TIMEOUT_MS,
      parser: lazyParser,
    });
    const entry: User = { spec, userId: user.id, socket, closing: false };
    this.listen(entry);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${spec.name}: no room:state`)), JOIN_TIMEOUT_MS);
      socket.once("room:state", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once("connect_error", (error) => {
        clearTimeout(timer);
        reject(new Error(`${spec.name}: connect_error ${error.message}`));
      });
    }).catch((error: unknown) => {
      entry.closing = true;
      socket.close();
      throw error;
    });
    this.byHandle.set(spec.handle, entry);
    const ms = Number(process.hrtime.bigint() - claimAt) / 1e6;
    if (spec.watch) {
      const watched = (await socket.timeout(JOIN_TIMEOUT_MS).emitWithAck("rooms:watch", { watch: true })) as {
        ok: boolean;
      };
      if (!watched.ok) this.fault(`${spec.name}: rooms:watch refused`);
    }
    return {
      handle: spec.handle,
      userId: user.id,
      claimAt: String(claimAt),
      connectAt: String(connectAt),
      ms,
    };
  }

  private listen(user: User): void {
    const { socket, spec } = user;
    socket.onAny((event: string) => (this.received[event] = (this.received[event] ?? 0) + 1));
    for (const event of ["room:message", "room:member-updated", "room:member-joined"] as const) {
      socket.on(event, (raw: unknown) => this.observe(event, String(raw), spec.handle));
    }
    socket.on("disconnect", (reason) => {
      if (!user.closing) this.fault(`${spec.name} disconnected: ${reason}`);
    });
    socket.on("session:ended", () => {
      if (!user.closing) this.fault(`${spec.name}: session:ended`);
    });
  }

  private observe(event: string, raw: string, handle: string): void {
    const at = process.hrtime.bigint();
    for (const awaited of this.awaited.values()) {
      if (awaited.match.event !== event || !awaited.pending.has(handle) || !matches(awaited.match, raw))
        continue;
      awaited.pending.delete(handle);
      if (awaited.firstAt === null || at < awaited.firstAt) awaited.firstAt = at;
      if (awaited.lastAt === null || at > awaited.lastAt) awaited.lastAt = at;
      if (awaited.pending.size === 0) awaited.finish();
    }
  }

  /** Every user here in `room` (but `except`) waits for the broadcast `match` describes. */
  arm(id: string, room: string, match: Match, timeoutMs: number, except?: string): number {
    const pending = new Set(
      [...this.byHandle.values()]
        .filter((user) => user.spec.room === room && user.spec.handle !== except)
        .map((user) => user.spec.handle),
    );
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const awaited: Awaited = {
      match,
      pending,
      count: pending.size,
      firstAt: null,
      lastAt: null,
      done,
      finish,
    };
    const timer = setTimeout(() => {
      if (pending.size === 0) return;
      this.fault(`${pending.size} of ${awaited.count} receivers never got ${match.event} (${id})`);
      pending.clear();
      finish();
    }, timeoutMs);
    void done.then(() => clearTimeout(timer));
    if (pending.size === 0) finish();
    this.awaited.set(id, awaited);
    return pending.size;
  }

  async collect(id: string): Promise<Collected> {
    const awaited = this.awaited.get(id);
    if (!awaited) throw new Error(`nothing armed as ${id}`);
    await awaited.done;
    this.awaited.delete(id);
    const stamp = (at: bigint | null) => (at === null ? null : String(at));
    return { firstAt: stamp(awaited.firstAt), lastAt: stamp(awaited.lastAt), count: awaited.count };
  }

  get(handle: string): User {
    const user = this.byHandle.get(handle);
    if (!user) throw new Error(`no user ${handle} in this worker`);
    return user;
  }

  /** Leaves (session:leave) and waits for the server to close the socket. */
  async leave(handle: string): Promise<void> {
    const user = this.get(handle);
    user.closing = true;
    const closed = new Promise((resolve) => user.socket.once("disconnect", resolve));
    const ack = (await user.socket.timeout(JOIN_TIMEOUT_MS).emitWithAck("session:leave", {})) as {
      ok: boolean;
    };
    if (!ack.ok) throw new Error(`${user.spec.name}: session:leave refused`);
    await closed;
    this.byHandle.delete(handle);
  }

  closeAll(): void {
    for (const user of this.byHandle.values()) {
      user.closing = true;
      user.socket.close();
    }
    this.byHandle.clear();
  }
}
