// Who this tab is: the session token, the user, the socket connection and its lifecycle.
import { defineStore } from "pinia";
import { onScopeDispose, ref } from "vue";
import type { CreateSessionResponse, SessionReady, UserRef } from "@videochat/protocol";
import { type ApiResult, createSession } from "./api";
import {
  connectionState,
  request,
  setConnectionState,
  setHandshake,
  setSessionLostHandler,
  socket,
} from "./socket";
import type { AppError } from "@videochat/protocol";
import { forgetSession, loadSession, saveLastIdentity, saveSession } from "./tabStorage";
import { createSessionEvents } from "./sessionEvents";
import { t } from "../../i18n";
import { errorText } from "../../i18n/errors";

export type SessionStatus = "signed-out" | "joining" | "connecting" | "ready" | "leaving";
export type SessionSettings = SessionReady["settings"];

/** A refused handshake is not retried by socket.io-client; we retry unless the session is gone. */
const HANDSHAKE_RETRY_MS = 3000;
const SERVER_CLOSE_RETRY_MS = 500;
/** Words a `session:ended` reason (its codes have one cause each). */
const ENDED = { event: "session:ended" };

export const useSessionStore = defineStore("session", () => {
  const saved = loadSession();
  const token = ref<string | null>(saved?.token ?? null);
  const user = ref<UserRef | null>(saved?.user ?? null);
  /** The room this session is in, as last confirmed by the server. */
  const room = ref<string | null>(saved?.room ?? null);
  const instanceId = ref<string | null>(null);
  const settings = ref<SessionSettings | null>(null);
  const status = ref<SessionStatus>(saved ? "connecting" : "signed-out");
  /** Why the session is not usable, for the join screen (e.g. it expired). */
  const error = ref<string | null>(null);
  /** Why the server closed this tab's connection and when it may connect again, while it waits. */
  const connectionNotice = ref<string | null>(null);
  let holdUntil = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  // The stores below this one subscribe here: they drop their state on "reset" and add their resume point.
  const events = createSessionEvents();

  function remember(): void {
    if (token.value && user.value && room.value) {
      saveSession({ token: token.value, user: user.value, room: room.value });
      saveLastIdentity({ name: user.value.name, room: room.value });
    }
  }

  function rememberRoom(next: string): void {
    room.value = next;
    remember();
  }

  /** Creates a session over HTTP; the caller connects (by opening the room) when it succeeds. */
  async function join(name: string, roomName: string): Promise<ApiResult<CreateSessionResponse>> {
    status.value = "joining";
    error.value = null;
    const result = await createSession({ name, room: roomName });
    if (!result.ok) {
      status.value = "signed-out";
      return result;
    }
    token.value = result.value.token;
    user.value = result.value.user;
    room.value = result.value.room;
    status.value = "connecting";
    remember();
    return result;
  }

  function connect(): void {
    if (!token.value || socket.connected || socket.active) return;
    // Read at every (re)connection, so a resume asks only for the messages this tab has not seen.
    setHandshake(() => ({ ...events.resumePoint(), token: token.value ?? "" }));
    status.value = "connecting";
    socket.connect();
  }

  function resetStores(): void {
    events.emit("reset");
  }

  /** Forgets the session locally and tells every store to start over. */
  function end(reason: string | null = null): void {
    clearTimeout(retryTimer);
    status.value = "signed-out";
    socket.disconnect();
    forgetSession();
    token.value = null;
    user.value = null;
    room.value = null;
    instanceId.value = null;
    settings.value = null;
    error.value = reason;
    resetStores();
  }

  let reclaiming = false;
  /**
   * The server no longer has this session (it expired while the tab was cut off, or the server
   * restarted): claim the same name and room again by ourselves. When the name has been taken
   * meanwhile, the join form comes back with it filled in and a plain message.
   */
  async function reclaim(): Promise<void> {
    const name = user.value?.name;
    const lastRoom = room.value;
    if (!name || !lastRoom) return end(t("errors.session_unknown"));
    if (reclaiming) return;
    reclaiming = true;
    clearTimeout(retryTimer);
    socket.disconnect();
    status.value = "connecting";
    setConnectionState("reconnecting");
    const result = await createSession({ name, room: lastRoom });
    reclaiming = false;
    if (status.value !== "connecting") return; // left meanwhile
    if (!result.ok) {
      if (result.error.code === "network" || result.error.code === "unexpected_response") {
        retryTimer = setTimeout(() => void reclaim(), HANDSHAKE_RETRY_MS);
        return;
      }
      const taken = result.error.code === "name_taken";
      return end(taken ? t("session.nameTakenMeanwhile", { name }) : result.error.message);
    }
    resetStores();
    token.value = result.value.token;
    user.value = result.value.user;
    room.value = result.value.room;
    remember();
    connect();
  }

  /** The server closes this connection on purpose and says why (see `session:ended` in the protocol). */
  function onSessionEnded(reason: AppError): void {
    if (reason.code === "flooding") {
      holdOff(reason);
      return; // the disconnect that follows reconnects, after the wait
    }
    if (reason.code === "session_unknown") {
      void reclaim();
      return;
    }
    if (reason.code === "too_many_connections") {
      // Keep the session: after closing another tab, a reload of this one joins it again.
      clearTimeout(retryTimer);
      status.value = "signed-out";
      socket.disconnect();
      const saved = token.value;
      token.value = null;
      error.value = errorText(reason, ENDED);
      resetStores();
      if (saved && user.value && room.value)
        saveSession({ token: saved, user: user.value, room: room.value });
      return;
    }
    end(errorText(reason, ENDED));
  }

  /** Explicit log-out. The session ends locally even if the server cannot be told; it then expires. */
  async function leave(): Promise<void> {
    status.value = "leaving";
    await request("session:leave", {});
    end();
  }

  /**
   * The server asks this tab to wait before connecting again: say so in plain words, then retry.
   * A refused handshake's message says the wait already; a closed connection's does not.
   */
  function holdOff(reason: AppError, sayWait = true): void {
    const waitMs = reason.retryAfterMs ?? HANDSHAKE_RETRY_MS;
    holdUntil = Date.now() + waitMs;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    connectionNotice.value = sayWait
      ? t("session.reconnectingIn", { reason: errorText(reason, ENDED), seconds })
      : errorText(reason, { event: "handshake" });
    setConnectionState("reconnecting");
  }

  /** Connects again after `minimumMs`, or later if the server asked this tab to wait longer. */
  function retryLater(minimumMs: number): void {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => socket.connect(), Math.max(minimumMs, holdUntil - Date.now()));
  }

  function onSessionReady(ready: SessionReady): void {
    connectionNotice.value = null;
    user.value = ready.user;
    room.value = ready.room;
    instanceId.value = ready.instanceId;
    settings.value = ready.settings;
    status.value = "ready";
    error.value = null;
    remember();
  }

  function onConnectError(err: Error): void {
    if (err.message === "session_unknown") {
      void reclaim();
      return;
    }
    if (socket.active || !token.value) return; // socket.io-client is already retrying
    // A session held off after a flood, or reconnecting too often: the refusal says how long to wait.
    const refusal = (err as Error & { data?: AppError }).data;
    if (refusal?.retryAfterMs) holdOff(refusal, false);
    setConnectionState("reconnecting");
    retryLater(HANDSHAKE_RETRY_MS);
  }

  function onDisconnect(reason: string): void {
    if (status.value === "leaving" || status.value === "signed-out") return;
    status.value = "connecting";
    // The server closed us on purpose (e.g. restart or takeover). Reconnecting lets the handshake decide:
    // a live session resumes, an ended one gets session_unknown.
    // A short pause keeps a server that keeps closing us from turning this into a hot loop.
    if (reason === "io server disconnect") {
      setConnectionState("reconnecting");
      retryLater(SERVER_CLOSE_RETRY_MS);
    }
  }

  setSessionLostHandler(() => void reclaim());
  socket.on("session:ready", onSessionReady);
  socket.on("session:ended", onSessionEnded);
  socket.on("connect_error", onConnectError);
  socket.on("disconnect", onDisconnect);
  onScopeDispose(() => {
    clearTimeout(retryTimer);
    socket.off("session:ready", onSessionReady);
    socket.off("session:ended", onSessionEnded);
    socket.off("connect_error", onConnectError);
    socket.off("disconnect", onDisconnect);
  });

  return {
    token,
    user,
    room,
    instanceId,
    settings,
    status,
    error,
    connection: connectionState,
    connectionNotice,
    join,
    connect,
    leave,
    end,
    rememberRoom,
    /** Subscribes a store below this one to the session's events (see SessionEvents). */
    onSessionEvent: events.on,
    /** Adds a store's fields to the handshake of every (re)connection. */
    resumeFrom: events.resumeFrom,
  };
});
