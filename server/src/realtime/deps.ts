// What every feature module receives: injected, so tests can swap any of it.
import type { Server, Socket } from "socket.io";
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import type {
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from "../protocol.js";
import type { Store } from "../state/store.js";

export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface RealtimeDeps {
  io: AppServer;
  /** This run of the instance: "<INSTANCE_ID>#<incarnation>", new at every process start. */
  instanceKey: string;
  /** The Store's id of a socket's connection: "<instanceKey>/<socket id>". */
  connectionId: (socket: { id: string }) => string;
  store: Store;
  config: Config;
  logger: Logger;
  clock: () => number;
  limits: { message: RateLimiterAbstract };
  /** Rebuilds a connected socket's lost session (see lost.ts); false when the socket was closed instead. */
  recoverSession: (socket: AppSocket) => Promise<boolean>;
  /** Marks a room whose member count changed; counts of marked rooms go out coalesced, once per window. */
  announceOccupancy: (room: string) => void;
}
