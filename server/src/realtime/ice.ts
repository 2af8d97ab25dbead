// ICE servers for a user's calls. With a TURN shared secret, credentials follow coturn's
// `use-auth-secret` convention (the TURN REST API): username "<expiry>:<user>", HMAC-SHA1 password.
import { createHmac } from "node:crypto";
import type { Config } from "../config.js";
import type { IceServer } from "@videochat/protocol";
import { TEXTS, waitSeconds } from "../error-texts.js";
import type { Store } from "../state/store.js";
import type { AppSocket } from "./deps.js";

/**
 * The ICE servers for `userId`: STUN, and TURN with a credential of its own that expires `ttlSeconds`
 * from `nowMs` (a call's TURN_TTL_S unless said otherwise).
 */
export function iceServersFor(
  userId: string,
  ice: Config["ice"],
  nowMs: number,
  ttlSeconds = ice.turnTtlSeconds,
): IceServer[] {
  const servers: IceServer[] = [];
  if (ice.stunUrls.length > 0) servers.push({ urls: ice.stunUrls });
  if (ice.turnUrls.length === 0) return servers;
  if (ice.turnSecret) {
    const username = `${Math.floor(nowMs / 1000) + ttlSeconds}:${userId}`;
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
 * STUN without TURN: the configured STUN servers, or else the TURN servers asked as STUN servers
 * (a TURN server answers STUN binding requests on its port: RFC 8656 extends STUN). `turns:` URLs are
 * left out: browsers speak no STUN over TLS.
 */
function stunWithoutTurn(ice: Config["ice"]): IceServer[] {
  if (ice.stunUrls.length > 0) return [{ urls: ice.stunUrls }];
  const urls = [
    ...new Set(
      ice.turnUrls
        .filter((url) => url.startsWith("turn:"))
        .map((url) => `stun:${url.slice(5).split("?")[0]}`),
    ),
  ];
  return urls.length > 0 ? [{ urls }] : [];
}

/**
 * The ICE configuration for `socket`'s user. When TURN is configured and `turnUsersPerAddress` other
 * users from the socket's client address hold live credentials already (each may take coturn's
 * user-quota of allocations, and sessions are cheap to make), the user gets STUN without TURN
 * (stunWithoutTurn): most paths need no relay, and a call still connects where a direct one exists. Only under
 * the relay-only policy, where no call could connect that way, is the answer `relay_busy` with the
 * wait. Every handout is recorded in the Store until the credential expires and then coturn's
 * max-allocate-lifetime: coturn cannot revoke a credential, and an allocation refreshed just before its
 * expiry keeps its share of the quotas that much longer.
 */
export async function iceConfigFor(
  socket: AppSocket,
  deps: { store: Store; config: Config; clock: () => number },
  ttlSeconds = deps.config.ice.turnTtlSeconds,
) {
  const { ice } = deps.config;
  const now = deps.clock();
  if (ice.turnUrls.length > 0) {
    // The credential's expiry as iceServersFor writes it (whole seconds), in ms, and then the longest an
    // allocation refreshed just before it lives on in coturn's quotas: the place is held until then.
    const until = (Math.floor(now / 1000) + ttlSeconds + ice.maxAllocateLifetimeSeconds) * 1000;
    const waitMs = await deps.store.holdRelay(
      socket.data.address,
      socket.data.userId,
      until,
      ice.turnUsersPerAddress,
      now,
    );
    if (waitMs !== null && ice.transportPolicy === "relay") {
      const message = TEXTS.relay_busy(waitSeconds(waitMs));
      return { ok: false as const, error: { code: "relay_busy" as const, message, retryAfterMs: waitMs } };
    }
    if (waitMs !== null)
      return {
        ok: true as const,
        iceServers: stunWithoutTurn(ice),
        iceTransportPolicy: ice.transportPolicy,
      };
  }
  return {
    ok: true as const,
    iceServers: iceServersFor(socket.data.userId, ice, now, ttlSeconds),
    iceTransportPolicy: ice.transportPolicy,
  };
}
