// Real socket.io-client users for realtime tests, and a `waitFor` that never sleeps blindly.
import { io as connect, type Socket } from "socket.io-client";
import type {
  Ack,
  ClientToServerEvents,
  CreateSessionResponse,
  HandshakeAuth,
  ServerToClientEvents,
} from "@videochat/protocol";

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function createSession(
  baseUrl: string,
  name: string,
  room = "GENERAL",
): Promise<CreateSessionResponse> {
  const response = await fetch(`${baseUrl}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, room }),
  });
  if (response.status !== 201)
    throw new Error(`session for ${name}: ${response.status} ${await response.text()}`);
  return (await response.json()) as CreateSessionResponse;
}

export function openSocket(
  baseUrl: string,
  auth: HandshakeAuth,
  options: { transports?: string[]; tab?: string } = {},
): ClientSocket {
  return connect(baseUrl, {
    auth,
    // The SPA's per-tab id (kept across reloads): a new page load in the same tab is a reload.
    ...(options.tab ? { query: { tab: options.tab } } : {}),
    transports: options.transports ?? ["websocket"],
    reconnection: false,
    forceNew: true,
    // socket.io-client gives up a handshake after 20 s; on a machine whose CPUs other work keeps busy, a
    // storm of handshakes can take longer. A refused handshake still fails at once (connect_error).
    timeout: 60_000,
  }) as ClientSocket;
}

/**
 * A socket with `token` whose connection a trusted proxy says comes from `address` (X-Forwarded-For;
 * the server needs TRUST_PROXY=loopback), as nginx sends it.
 */
export function openSocketFrom(baseUrl: string, token: string, address: string): ClientSocket {
  return connect(baseUrl, {
    auth: { token },
    transports: ["websocket"],
    extraHeaders: { "X-Forwarded-For": address },
    forceNew: true,
    reconnection: false,
  }) as ClientSocket;
}

type UntypedEvents = {
  on(event: string, listener: (payload: unknown) => void): void;
  off(event: string, listener: (payload: unknown) => void): void;
};
type EventArgs<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

/**
 * A bound on a hang, not on speed: awaited events normally arrive in milliseconds, but on a machine whose
 * CPUs other work keeps busy a session:ready has been seen to take more than 5 s.
 */
const HANG_MS = 20_000;

/** Resolves with the first `event` payload that matches `predicate`, or rejects after `timeoutMs`. */
export function waitFor<E extends keyof ServerToClientEvents>(
  socket: ClientSocket,
  event: E,
  predicate: (payload: EventArgs<E>) => boolean = () => true,
  timeoutMs = HANG_MS,
): Promise<EventArgs<E>> {
  return new Promise((resolve, reject) => {
    const untyped = socket as unknown as UntypedEvents;
    const timer = setTimeout(() => {
      untyped.off(event, listener);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const listener = (payload: unknown) => {
      if (!predicate(payload as EventArgs<E>)) return;
      clearTimeout(timer);
      untyped.off(event, listener);
      resolve(payload as EventArgs<E>);
    };
    untyped.on(event, listener);
  });
}

/** Collects every payload of `event` from now on. */
export function record<E extends keyof ServerToClientEvents>(socket: ClientSocket, event: E): EventArgs<E>[] {
  const seen: EventArgs<E>[] = [];
  (socket as unknown as UntypedEvents).on(event, (payload) => seen.push(payload as EventArgs<E>));
  return seen;
}

export interface Joined {
  socket: ClientSocket;
  session: CreateSessionResponse;
  ready: EventArgs<"session:ready">;
  state: EventArgs<"room:state">;
}

/** How often `join` claims again when the claim expired before its socket connected. */
const JOIN_ATTEMPTS = 5;

/**
 * Creates a session over HTTP, connects, and waits for the ready and room-state events. Some tests run
 * with a grace of a few hundred ms, which a busy machine can spend between the claim and the handshake:
 * a claim refused as `session_unknown` is made again; any other refusal fails at once.
 */
export async function join(baseUrl: string, name: string, room = "GENERAL"): Promise<Joined> {
  for (let attempt = 1; ; attempt += 1) {
    const session = await createSession(baseUrl, name, room);
    const socket = openSocket(baseUrl, { token: session.token });
    const refused = new Promise<Error>((resolve) => socket.once("connect_error", resolve));
    const joined = Promise.all([waitFor(socket, "session:ready"), waitFor(socket, "room:state")]);
    joined.catch(() => {}); // a refused socket's waits time out unheard
    const outcome = await Promise.race([joined, refused]);
    if (!(outcome instanceof Error)) return { socket, session, ready: outcome[0], state: outcome[1] };
    socket.disconnect();
    if (outcome.message !== "session_unknown" || attempt === JOIN_ATTEMPTS)
      throw new Error(`${name} could not connect: ${outcome.message}`);
  }
}

/** Emits with an ack and a timeout (ms), as the SPA does. */
export function request<E extends keyof ClientToServerEvents>(
  socket: ClientSocket,
  event: E,
  payload: Parameters<ClientToServerEvents[E]>[0],
  timeoutMs = HANG_MS,
): Promise<Ack<Record<string, unknown>> & Record<string, unknown>> {
  const untyped = socket as unknown as Socket;
  return untyped.timeout(timeoutMs).emitWithAck(event, payload);
}

export function closeAll(...sockets: (ClientSocket | undefined)[]): void {
  for (const socket of sockets) socket?.disconnect();
}
