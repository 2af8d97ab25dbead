// Raw HTTP at the edge: requests with exactly the headers a browser, a proxy or an attacker would send
// (Host included, which fetch will not let us set), from a chosen loopback source address.
import { once } from "node:events";
import { request, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** The source address, e.g. 127.0.0.2: Linux routes all of 127/8 to loopback. */
  localAddress?: string;
}

/** One request; a 101 Switching Protocols answer resolves with status 101 and closes the socket. */
export async function send(baseUrl: string, options: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const req = request({
    host: hostname,
    port,
    method: options.method ?? "GET",
    path: options.path,
    headers: options.headers,
    localAddress: options.localAddress,
  });
  req.end(options.body);
  const [event, args] = await Promise.race([
    once(req, "response").then((a) => ["response", a] as const),
    once(req, "upgrade").then((a) => ["upgrade", a] as const),
  ]);
  const res = args[0] as IncomingMessage;
  if (event === "upgrade") {
    (args[1] as Socket).destroy();
    return { status: res.statusCode ?? 0, headers: res.headers, body: "" };
  }
  let body = "";
  res.setEncoding("utf8");
  res.on("data", (chunk: string) => (body += chunk));
  await once(res, "end");
  return { status: res.statusCode ?? 0, headers: res.headers, body };
}

/**
 * An Engine.IO handshake with the given headers over long-polling (200 and an open packet when
 * accepted, 403 when refused) or WebSocket (101 when accepted, 400 when refused).
 */
export function handshake(
  baseUrl: string,
  headers: Record<string, string>,
  transport: "polling" | "websocket",
): Promise<RawResponse> {
  const upgrade = {
    Connection: "Upgrade",
    Upgrade: "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
  };
  return send(baseUrl, {
    path: `/socket.io/?EIO=4&transport=${transport}&tab=edge-test`,
    headers: { ...(transport === "websocket" ? upgrade : {}), ...headers },
  });
}

/** POST /api/session with a JSON body, optionally from another source address or with extra headers. */
export function claim(
  baseUrl: string,
  name: string,
  options: { headers?: Record<string, string>; localAddress?: string; tab?: string } = {},
): Promise<RawResponse> {
  return send(baseUrl, {
    method: "POST",
    path: `/api/session?tab=${options.tab ?? "claims"}`,
    headers: { "Content-Type": "application/json", ...options.headers },
    body: JSON.stringify({ name, room: "GENERAL" }),
    localAddress: options.localAddress,
  });
}
