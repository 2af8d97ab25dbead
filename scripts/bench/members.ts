// Bench members: sessions over HTTP and connected sockets in one room, plus percentiles.
import { io as connect, type Socket } from "socket.io-client";

export interface BenchMember {
  socket: Socket;
  userId: string;
}

async function session(url: string, name: string): Promise<{ token: string; user: { id: string } }> {
  const response = await fetch(`${url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, room: "GENERAL" }),
  });
  return (await response.json()) as { token: string; user: { id: string } };
}

/** `count` members named `<prefix><i>` in GENERAL, spread over `urls`, each holding the room state. */
export async function connectMembers(urls: string[], count: number, prefix: string): Promise<BenchMember[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const url = urls[i % urls.length]!;
      const { token, user } = await session(url, `${prefix}${i}`);
      const socket = connect(url, { auth: { token }, transports: ["websocket"] });
      await new Promise((resolve) => socket.once("room:state", resolve));
      return { socket, userId: user.id };
    }),
  );
}

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

export const ms = (value: number) => `${value.toFixed(1).padStart(6)} ms`;
