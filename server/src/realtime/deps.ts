// What every feature module receives: injected, so tests can swap any of it.
import type { Server, Socket } from "socket.io";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type {
  ClientToServerEvents,
  InterServerEvents,
  RoomOccupancy,
  ServerToClientEvents,
  SocketData,
} from "../protocol.js";
import type { Store } from "../state/store.js";
import type { EventLimits } from "./limits.js";

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
  /** Per-user limits of every event family, charged at the edge (handler.ts) before any feature runs. */
  limits: EventLimits;
  /** Rebuilds a connected socket's lost session (see lost.ts); false when the socket was closed instead. */
  recoverSession: (socket: AppSocket) => Promise<boolean>;
  /** Marks a room whose member count changed; counts of marked rooms go out coalesced, once per window. */
  announceOccupancy: (room: string) => void;
  /** Every configured room's count, kept current by the occupancy feed (see occupancy.ts). */
  everyRoomCount: () => Promise<RoomOccupancy[]>;
  /** The instance's Prometheus metrics; absent in tests that build deps by hand. */
  metrics?: Metrics;
}
