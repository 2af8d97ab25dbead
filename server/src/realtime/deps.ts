// What every feature module receives: injected, so tests can swap any of it.
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type { Sfu } from "../sfu/service.js";
import type { RoomOccupancy } from "@videochat/protocol";
import type { Store } from "../state/store.js";
import type { EventLimits } from "./limits.js";
import type { PostBudgets } from "./post-budgets.js";

import type { AppServer, AppSocket } from "./sockets.js";

export type { AppServer, AppSocket } from "./sockets.js";

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
  /** This instance's view of each sender's room-message budget, charged to the Store in batches. */
  postBudgets: PostBudgets;
  /** Tells this instance's reaper a deadline falls due at `at` (ms since the epoch), so it sweeps then. */
  deadlineAt?: (at: number) => void;
  /** Rebuilds a connected socket's lost session (see lost.ts); false when the socket was closed instead. */
  recoverSession: (socket: AppSocket) => Promise<boolean>;
  /** Marks a room whose member count changed; counts of marked rooms go out coalesced, once per window. */
  announceOccupancy: (room: string) => void;
  /** Every configured room's count, kept current by the occupancy feed (see occupancy.ts). */
  everyRoomCount: () => Promise<RoomOccupancy[]>;
  /**
   * The room's version read after the call, batched with the occupancy feed's count read of the window
   * (see occupancy.ts); absent (tests that build deps by hand): the Store is read at once.
   */
  roomVersionAfter?: (room: string) => Promise<number>;
  /** A room message `id` was posted in `room` here: its room switchers' unread counts (reach.ts). */
  roomPosted?: (room: string, id: number) => void;
  /** Group calls through Janus (JANUS_URLS); absent: group calls are a mesh. */
  sfu?: Sfu;
  /** The instance's Prometheus metrics (METRICS_PORT); absent in tests that build deps by hand. */
  metrics?: Metrics;
}
