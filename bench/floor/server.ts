// The floor of `npm run bench`: the bare stack this app is built on, and nothing else. A Socket.IO 4
// server with the same sharded Redis adapter (ioredis, dynamic subscriptions) as server/src/server.ts,
// that broadcasts what it receives to the sender's room: no validation, no limits, no Store, no history,
// no ids from Redis. Two of these behind the same generator show what the stack itself costs; whatever
// this app costs above them is what its guarantees cost (docs/performance-floor.md).
//
//   PORT, HOST (127.0.0.1), REDIS_URL, INSTANCE_ID   node --import tsx bench/floor/server.ts
//
// It speaks just enough of the app's protocol for the bench's generator (scripts/bench/users.ts):
// POST /api/session {name, room} -> 201 {token, user: {id}}, where the token carries the session
// itself (nothing is stored); a socket whose handshake auth carries that token joins the room, gets
// room:state, and the room gets room:member-joined; room:message, presence:set and session:leave are
// acknowledged and broadcast as the app broadcasts them.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createShardedAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server, type Socket } from "socket.io";

/** What the floor's token carries: the whole session, since nothing is stored. */
interface FloorSession {
  id: string;
  name: string;
  room: string;
}

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`bench floor: ${name} is required`);
  return value;
};
const port = Number(env("PORT"));
const host = env("HOST", "127.0.0.1");
const redisUrl = env("REDIS_URL");
const instanceId = env("INSTANCE_ID", "floor");

const encode = (session: FloorSession) => Buffer.from(JSON.stringify(session)).toString("base64url");
const decode = (token: unknown): FloorSession | null => {
  try {
    const session = JSON.parse(Buffer.from(String(token), "base64url").toString()) as FloorSession;
    return typeof session.id === "string" && typeof session.room === "string" ? session : null;
  } catch {
    return null;
  }
};

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return JSON.parse(text || "{}") as Record<string, unknown>;
}

// A claim is a token minted here: the floor keeps no names, so a claim costs no Redis command.
const http = createServer((req, res) => {
  if (req.url === "/api/health") return send(res, 200, { ok: true });
  if (req.method === "POST" && req.url === "/api/session") {
    readJson(req).then(
      (body) => {
        const session = { id: randomUUID(), name: String(body.name), room: String(body.room) };
        send(res, 201, { token: encode(session), user: { id: session.id, name: session.name } });
      },
      () => send(res, 400, { error: "bad json" }),
    );
    return;
  }
  // engine.io answers /socket.io/ itself; anything else is not the floor's.
  if (!req.url?.startsWith("/socket.io/")) send(res, 404, { error: "not found" });
});

// The same server options as the app (server/src/server.ts) that bear on the message path.
const io = new Server(http, {
  serveClient: false,
  perMessageDeflate: false,
  maxHttpBufferSize: 64 * 1024,
  pingInterval: 25_000,
  pingTimeout: 20_000,
});
const pub = new Redis(redisUrl, { connectionName: `${instanceId}:pub` });
const sub = new Redis(redisUrl, { connectionName: `${instanceId}:sub`, maxRetriesPerRequest: null });
io.adapter(createShardedAdapter(pub, sub, { subscriptionMode: "dynamic" }));

type Ack = (answer: unknown) => void;
const member = (session: FloorSession, status = "online") => ({
  id: session.id,
  name: session.name,
  status,
  busy: false,
});
let version = 0;

io.use((socket, next) => {
  const session = decode((socket.handshake.auth as { token?: unknown }).token);
  if (!session) return next(new Error("no session"));
  socket.data.session = session;
  next();
});

io.on("connection", (socket: Socket) => {
  const session = socket.data.session as FloorSession;
  const { room } = session;
  void socket.join(room);
  socket.emit("room:state", { room, roomSeq: 0, version, members: [member(session)], history: [] });
  socket.to(room).emit("room:member-joined", { room, version: ++version, member: member(session) });

  socket.on("room:message", (payload: { text: string }, ack: Ack) => {
    const message = {
      id: Date.now(),
      room,
      from: { id: session.id, name: session.name },
      text: payload.text,
      at: Date.now(),
    };
    io.to(room).emit("room:message", message);
    ack({ ok: true, message });
  });
  socket.on("presence:set", (payload: { status: string }, ack: Ack) => {
    io.to(room).emit("room:member-updated", {
      room,
      version: ++version,
      member: member(session, payload.status),
    });
    ack({ ok: true });
  });
  socket.on("session:leave", (_payload: unknown, ack: Ack) => {
    ack({ ok: true });
    socket.disconnect(true);
  });
  socket.on("disconnect", () => {
    io.to(room).emit("room:member-left", {
      room,
      version: ++version,
      member: member(session),
      reason: "left",
    });
  });
});

http.listen(port, host);
