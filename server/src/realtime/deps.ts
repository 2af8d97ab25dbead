// What every feature module receives: injected, so tests can swap any of it.
import type { Server, Socket } from "socket.io";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import type {
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from "../protocol.js";
import type { Store } from "../state/store.js";
import type { EventLimits } from "./limits.js";

export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface RealtimeDeps {
  io: AppServer;
  store: Store;
  config: Config;
  logger: Logger;
  clock: () => number;
  /** Per-user limits of every event family, charged at the edge (handler.ts) before any feature runs. */
  limits: EventLimits;
  /** Tells every client the rooms' occupancy soon; bursts of changes coalesce into one broadcast. */
  announceOccupancy: () => void;
}
