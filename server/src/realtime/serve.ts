// Every feature's handlers on the Socket.IO server, and what each new connection gets: the handshake's
// session, the outbound byte bound, the one dispatching listener, the detach on disconnect and the start.
import * as calls from "./calls.js";
import * as chat from "./chat.js";
import type { RealtimeDeps } from "./deps.js";
import { listenForCrowded } from "./crowded.js";
import { listenForMoves } from "./follow.js";
import * as gestures from "./gestures.js";
import * as group from "./group.js";
import { Events } from "./handler.js";
import { authenticate } from "./handshake.js";
import { listenForResync } from "./lost.js";
import * as media from "./media.js";
import * as messageChanges from "./message-changes.js";
import * as occupancy from "./occupancy.js";
import { boundOutbound } from "./outbound.js";
import * as presence from "./presence.js";
import * as privateChat from "./private.js";
import * as rooms from "./rooms.js";
import * as session from "./session.js";
import * as reach from "./reach.js";
import * as files from "./files.js";
import * as sfuEvents from "../sfu/events.js";

/** Registers every feature once per server and serves every connection `deps.io` accepts from now on. */
export function serveRealtime(deps: RealtimeDeps): void {
  const { io, config, logger } = deps;
  listenForMoves(io);
  listenForCrowded(io);
  listenForResync(deps);
  // Every feature's handlers, once per server; each socket gets one listener that dispatches to them.
  const events = new Events(deps);
  for (const feature of [
    session,
    rooms,
    presence,
    chat,
    privateChat,
    calls,
    group,
    media,
    gestures,
    occupancy,
    sfuEvents,
    messageChanges,
    reach,
    files,
  ])
    feature.register(events, deps);
  io.use(authenticate(deps));
  io.on("connection", (socket) => {
    // The raw request would stay referenced for the connection's life; the handshake has what we use.
    (socket.conn as { request: unknown }).request = null;
    boundOutbound(socket, config.outboundBufferMaxBytes, logger, () => deps.metrics?.outboundCut());
    // The listener first, synchronously, so no event sent right after connecting is missed.
    events.attach(socket);
    sfuEvents.attach(socket, deps);
    session.detachOnDisconnect(socket, deps);
    session.start(socket, deps).catch((error: unknown) => {
      logger.error({ err: error, userId: socket.data.userId }, "connection start failed");
      socket.disconnect(true);
    });
  });
}
