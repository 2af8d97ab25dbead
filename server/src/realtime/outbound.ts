// A byte bound on what one connection has waiting to be sent. A client that stops reading (and
// answers pings blindly) would otherwise make the server hold everything sent to it, without end.
//
// Where the bytes wait (engine.io 6, ws 8): engine.io queues packets in its socket's writeBuffer while
// the transport is not writable: a WebSocket between handing a batch to ws and ws's write callback,
// a long-polling transport between two GETs. The batch handed over sits in ws (its bufferedAmount:
// the net socket's unwritten bytes) until the kernel takes it. So what piles up for a client that does
// not read is: the bytes queued since engine.io's last flush + ws's bufferedAmount.
import type { Logger } from "../logger.js";
import type { AppSocket } from "./deps.js";

/** The parts of engine.io's transport we read; `socket` is ws's WebSocket on the websocket transport. */
interface TransportView {
  name: string;
  writable: boolean;
  socket?: { bufferedAmount?: number; terminate?: () => void };
}

/** An engine.io packet as `packetCreate` hands it over: its data is a string or binary. */
interface PacketView {
  data?: unknown;
}

function packetBytes(packet: PacketView): number {
  const data = packet.data;
  if (typeof data === "string") return Buffer.byteLength(data);
  if (Buffer.isBuffer(data) || data instanceof ArrayBuffer) return data.byteLength;
  return 0;
}

/**
 * Disconnects `socket` once its unsent bytes pass `maxBytes`. Normal clients cost one property read
 * per packet: bytes are only summed while something is already waiting. `onCut` counts each cut.
 */
export function boundOutbound(
  socket: AppSocket,
  maxBytes: number,
  logger: Logger,
  onCut: () => void = () => undefined,
): void {
  const conn = socket.conn;
  let queued = 0; // bytes engine.io has queued since its last flush to the transport
  let cut = false;
  conn.on("flush", () => {
    queued = 0;
  });
  conn.on("packetCreate", (packet: PacketView) => {
    if (cut) return;
    // engine.io's transport is private API; read it through a narrow view.
    const transport = conn.transport as unknown as TransportView;
    const inTransport = transport.socket?.bufferedAmount ?? 0;
    // Nothing waiting and a writable transport: this packet goes straight out.
    if (queued === 0 && inTransport === 0 && transport.writable) return;
    queued += packetBytes(packet);
    if (queued + inTransport <= maxBytes) return;
    cut = true;
    logger.warn(
      {
        userId: socket.data.userId,
        socketId: socket.id,
        transport: transport.name,
        pendingBytes: queued + inTransport,
        maxBytes,
      },
      "client is not reading: outbound buffer over its bound, disconnecting",
    );
    // Destroy the TCP connection now: a closing handshake would wait behind the unread bytes (ws
    // keeps them for 30 s). Then close the engine.io socket without flushing its queue.
    transport.socket?.terminate?.();
    conn.close(true);
    onCut();
  });
}
