// The one typed socket of the tab, its connection state, and acknowledgements as promises.
import { io, type Socket } from "socket.io-client";
import { readonly, ref } from "vue";
import type {
  AppError,
  ClientToServerEvents,
  HandshakeAuth,
  ServerToClientEvents,
} from "@videochat/protocol";
import { errorText, waitText } from "../../i18n/errors";
import { t } from "../../i18n";
import { pageId, tabId } from "./tabStorage";
import { asResend, retryWhileUnavailable } from "./unavailable";

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = "connected" | "reconnecting" | "disconnected";

export type RequestName = keyof ClientToServerEvents;
export type RequestPayload<E extends RequestName> = Parameters<ClientToServerEvents[E]>[0];
type ServerAck<E extends RequestName> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];

/** An error the client raises itself when the server cannot answer. */
export interface LocalError {
  code: "timeout" | "offline";
  message: string;
}
/** The server's ack, or a local error when it never came. */
export type RequestResult<E extends RequestName> =
  Extract<ServerAck<E>, { ok: true }> | { ok: false; error: AppError | LocalError };

export const ACK_TIMEOUT_MS = 8000;

let handshake: () => HandshakeAuth = () => ({ token: "" });

/** The session store tells the socket what to present at each (re)connection. */
export function setHandshake(provider: () => HandshakeAuth): void {
  handshake = provider;
}

let onSessionLost: () => void = () => {};

/** Called when any ack says the session is gone (expired while connected), whatever the event was. */
export function setSessionLostHandler(handler: () => void): void {
  onSessionLost = handler;
}

// autoConnect is off: the session store connects once it holds a token.
export const socket: AppSocket = io({
  autoConnect: false,
  auth: (cb) => cb({ ...handshake(), page: pageId }),
  query: { tab: tabId() },
});

const state = ref<ConnectionState>("disconnected");
export const connectionState = readonly(state);

/** The only way the state changes, so every transition can be seen in one place. */
export function setConnectionState(next: ConnectionState): void {
  if (state.value === next) return;
  if (import.meta.env.DEV) console.debug(`[socket] ${state.value} -> ${next}`);
  state.value = next;
}

function onConnect(): void {
  setConnectionState("connected");
}
function onDisconnectOrError(): void {
  // `active` is true while socket.io-client will retry by itself (network loss, server restart).
  setConnectionState(socket.active ? "reconnecting" : "disconnected");
}
socket.on("connect", onConnect);
socket.on("disconnect", onDisconnectOrError);
socket.on("connect_error", onDisconnectOrError);

export { waitText };

/**
 * Sends a client->server event and resolves with its acknowledgement. Never rejects: a missing answer
 * becomes an error value the UI can show. Refuses while offline, because socket.io-client would buffer
 * the event and deliver it later, after the user has already been told it failed. An `unavailable`
 * refusal (Redis failing over) is sent again here, for a while (see unavailable.ts). Every error is
 * worded here in the page's language (`errorText`), so every screen says it the same way.
 */
export async function request<E extends RequestName>(
  event: E,
  payload: RequestPayload<E>,
  timeoutMs = ACK_TIMEOUT_MS,
): Promise<RequestResult<E>> {
  if (!socket.connected) {
    return {
      ok: false,
      error: { code: "offline", message: t("errors.offline") },
    };
  }
  try {
    const emit = socket.timeout(timeoutMs).emitWithAck as (
      ev: E,
      payload: RequestPayload<E>,
    ) => Promise<ServerAck<E>>;
    const ack = await retryWhileUnavailable(
      async (retry) =>
        (await emit.call(socket, event, retry ? asResend(payload) : payload)) as RequestResult<E>,
      () => socket.connected,
    );
    if (!ack.ok && ack.error.code === "session_unknown") onSessionLost();
    if (!ack.ok) return { ok: false, error: { ...ack.error, message: errorText(ack.error, { event }) } };
    return ack;
  } catch {
    return { ok: false, error: { code: "timeout", message: t("errors.timeout") } };
  }
}
