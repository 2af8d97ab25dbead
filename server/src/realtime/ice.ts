// ICE servers for a user's calls. With a TURN shared secret, credentials follow coturn's
// `use-auth-secret` convention (the TURN REST API): username "<expiry>:<user>", HMAC-SHA1 password.
import { createHmac } from "node:crypto";
import type { Config } from "../config.js";
import type { IceServer } from "@videochat/protocol";
import { TEXTS, waitSeconds } from "../error-texts.js";
import type { Store } from "../state/store.js";
import type { AppSocket } from "./deps.js";

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

/**
 * The ICE configuration for `socket`'s user, or `relay_busy` when TURN is configured and
 * `turnUsersPerAddress` other users from the socket's client address hold live credentials already
 * (each may take coturn's user-quota of allocations, and sessions are cheap to make). Every handout
 * is recorded in the Store until the credential expires: coturn cannot revoke one before that.
 */
export async function iceConfigFor(
  socket: AppSocket,
  deps: { store: Store; config: Config; clock: () => number },
) {
  const { ice } = deps.config;
  const now = deps.clock();
  if (ice.turnUrls.length > 0) {
    // The credential's expiry as iceServersFor writes it (whole seconds), in ms.
    const until = (Math.floor(now / 1000) + ice.turnTtlSeconds) * 1000;
    const waitMs = await deps.store.holdRelay(
      socket.data.address,
      socket.data.userId,
      until,
      ice.turnUsersPerAddress,
      now,
    );
    if (waitMs !== null) {
      const message = TEXTS.relay_busy(waitSeconds(waitMs));
      return { ok: false as const, error: { code: "relay_busy" as const, message, retryAfterMs: waitMs } };
    }
  }
  return {
    ok: true as const,
    iceServers: iceServersFor(socket.data.userId, ice, now),
    iceTransportPolicy: ice.transportPolicy,
  };
}
