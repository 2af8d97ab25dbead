// ICE servers for a user's calls. With a TURN shared secret, credentials follow coturn's
// `use-auth-secret` convention (the TURN REST API): username "<expiry>:<user>", HMAC-SHA1 password.
import { createHmac } from "node:crypto";
import type { Config } from "../config.js";
import type { IceServer } from "@videochat/protocol";

export function iceServersFor(userId: string, ice: Config["ice"], nowMs: number): IceServer[] {
  const servers: IceServer[] = [];
  if (ice.stunUrls.length > 0) servers.push({ urls: ice.stunUrls });
  if (ice.turnUrls.length === 0) return servers;
  if (ice.turnSecret) {
    const username = `${Math.floor(nowMs / 1000) + ice.turnTtlSeconds}:${userId}`;
    const credential = createHmac("sha1", ice.turnSecret).update(username).digest("base64");
    servers.push({ urls: ice.turnUrls, username, credential });
  } else if (ice.turnUsername) {
    servers.push({ urls: ice.turnUrls, username: ice.turnUsername, credential: ice.turnCredential });
  } else {
    servers.push({ urls: ice.turnUrls });
  }
  return servers;
}
