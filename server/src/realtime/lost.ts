// A socket is connected only while its session exists. When the Store no longer has a connected
// socket's session (Redis restarted empty; the session was reaped while this instance was frozen),
// the session is rebuilt from what the socket holds; when that cannot be done (someone else took the
// name meanwhile), the client is told why and disconnected, and the SPA claims its name again.
import { isRetryable, UNAVAILABLE_RETRY_MS } from "../redis/replicated.js";
import type { AttachResult } from "../state/store.js";
import { announceJoined, roomState } from "./announce.js";
import { roomChannel } from "./channels.js";
import type { AppSocket, RealtimeDeps } from "./deps.js";
import { endConnection } from "./ended.js";
import { followOne } from "./follow.js";
import { resendChat } from "./private.js";

/** Sockets whose session:leave ended their session: the Store detached their connection with it. */
const leftSockets = new WeakSet<AppSocket>();

/** Marks a socket whose session it ended itself: nothing rebuilds that session, nor detaches it again. */
export function markLeft(socket: AppSocket): void {
  leftSockets.add(socket);
}

/** True once `markLeft` was called for this socket. */
export function hasLeft(socket: AppSocket): boolean {
  return leftSockets.has(socket);
}

/** Rebuilds the socket's session if the Store lost it; false (and the socket closed) when it cannot. */
export async function recoverSession(socket: AppSocket, deps: RealtimeDeps): Promise<boolean> {
  // A handler can finish after its socket closed (a log-out, a dropped tab): its detach has run, so a
  // session rebuilt now would hold a connection nobody has and never expire.
  // Nor is a session its own tab ended (session:leave) until that tab is closed.
  if (!socket.connected || hasLeft(socket)) return false;
  const known = socket.data.session;
  if (!known) {
    endConnection(socket, "session_unknown");
    return false;
  }
  const restored = await deps.store.restoreSession(
    { id: socket.data.userId, tokenDigest: socket.data.tokenDigest, ...known },
    deps.connectionId(socket),
    deps.config.maxConnectionsPerSession,
  );
  if (!restored.ok) {
    endConnection(socket, restored.code);
    return false;
  }
  deps.logger.warn({ userId: socket.data.userId }, "rebuilt a session the Store had lost");
  await entered(socket, deps, restored);
  return true;
}

/** After an attach that may have made the user (re-)enter: tell the room, resend its state and chat. */
async function entered(socket: AppSocket, deps: RealtimeDeps, attached: AttachResult): Promise<void> {
  const { session } = attached;
  if (attached.entered) announceJoined(deps, attached.entered);
  if (attached.updated)
    deps.io.to(roomChannel(attached.updated.room)).emit("room:member-updated", attached.updated);
  followOne(socket, session.room, session.roomSeq);
  socket.emit("room:state", await roomState(deps, session.room, session.roomSeq));
  if (session.chatId) await resendChat(deps, socket, session.chatId);
}

/**
 * After a takeover. A run that died between a change in the Store and its broadcasts (a room move's
 * state for the mover's other tabs, a member's delta) leaves sockets on other instances behind: every
 * instance re-sends its own sockets their room and chat, and clients merge by version and id.
 */
export function resyncCluster(deps: RealtimeDeps): void {
  // The in-memory adapter has no other instance to tell (and warns on serverSideEmit).
  if (deps.store.kind === "redis") deps.io.serverSideEmit("cluster:resync");
  void reattachAll(deps);
}

/** Re-sends this instance's sockets their state when another instance took over a dead run. */
export function listenForResync(deps: RealtimeDeps): void {
  deps.io.on("cluster:resync", () => void reattachAll(deps));
}

/** How long a resync keeps trying the sockets whose re-attach met a Redis that was switching. */
const REATTACH_RETRY_MS = 15_000;

/**
 * After this instance was dropped from the registry (declared dead during a stall, or Redis came
 * back empty), or its subscriber came back: every local socket attaches again, and a lost session is
 * rebuilt or its socket closed. A socket whose re-attach was refused as retryable (the Store's
 * connection moving to a new primary: seen in the Sentinel drill as a command timed out) is tried
 * again, else it never got the room:state that carries what it missed while broadcasts were cut.
 */
export async function reattachAll(deps: RealtimeDeps): Promise<void> {
  const giveUpAt = Date.now() + REATTACH_RETRY_MS;
  let sockets = [...deps.io.of("/").sockets.values()];
  for (;;) {
    const again: AppSocket[] = [];
    for (const socket of sockets) {
      if (!socket.connected || !socket.data.session) continue; // still starting: its own start() attaches it
      try {
        const attached = await deps.store.attachConnection(
          socket.data.userId,
          deps.connectionId(socket),
          deps.config.maxConnectionsPerSession,
        );
        if (attached.ok) await entered(socket, deps, attached);
        else if (attached.code === "session_unknown") await recoverSession(socket, deps);
        else endConnection(socket, attached.code);
      } catch (error) {
        if (isRetryable(error) && Date.now() < giveUpAt) again.push(socket);
        else deps.logger.error({ err: error, userId: socket.data.userId }, "re-attach failed");
      }
    }
    if (again.length === 0) return;
    deps.logger.warn({ sockets: again.length }, "re-attach refused while Redis switches: trying again");
    // A backoff, not a wait for a state: the Store answers again once its connection is on the new primary.
    await new Promise((resolve) => setTimeout(resolve, UNAVAILABLE_RETRY_MS));
    sockets = again;
  }
}
