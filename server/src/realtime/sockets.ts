// The typed Socket.IO server and socket of the app, apart from the deps so that lower modules (the SFU
// service) can name them without importing what the deps import.
import type { Server, Socket } from "socket.io";
import type {
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from "@videochat/protocol";

/** The app's Socket.IO server, typed by the contract. */
export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
/** One connection of the app, typed by the contract. */
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
