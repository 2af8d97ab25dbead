// Every rate limit's budget, in one table: the event families that per-user limits count (see
// realtime/limits.ts), the per-address budgets beside some of them (`<family>-address`), the budgets the Store charges inside its own steps (room-message, session-leave,
// session-claim: one fixed-window counter each in Lua, `charge_window` in prelude.lua.ts, or a field the
// step writes anyway, `post_budget` and `charge_field`; in memory, `charge` in state/memory-records.ts),
// and the parser of RATE_LIMITS overrides.
import { z } from "zod";

/**
 * Per-user budgets of each event family: `points` events per window of `seconds`, shared by all of a
 * user's tabs and instances. Sized for real use: a call set-up trickles tens of ICE candidates plus a
 * few descriptions (more on glare or an ICE restart); typing refreshes every 2 s and stops on send.
 * A group call multiplies signalling by its peers (up to 5).
 * `call-signal-bytes` counts the bytes of each signal's whole payload as JSON (an SDP is at most 60 KB).
 */
export const RATE_LIMIT_DEFAULTS = {
  "room-message": { points: 20, seconds: 10 }, // MESSAGE_RATE_PER_10S
  "private-message": { points: 30, seconds: 10 },
  "private-typing": { points: 60, seconds: 10 },
  "room-typing": { points: 60, seconds: 10 },
  presence: { points: 20, seconds: 10 },
  "room-join": { points: 10, seconds: 10 },
  // Watching starts with a read of every room's count; a tab toggles it as it is shown and hidden.
  "rooms-watch": { points: 10, seconds: 10 },
  "private-chat": { points: 10, seconds: 10 },
  call: { points: 20, seconds: 10 },
  // A newcomer to a 6-person group call negotiates with 5 peers at once.
  "call-signal": { points: 400, seconds: 10 },
  "call-signal-bytes": { points: 2_000_000, seconds: 10 },
  "call-media": { points: 30, seconds: 10 },
  // "Raise hand" / "Lower hand": a person's clicks, each one a group:state to the room.
  "call-hand": { points: 10, seconds: 10 },
  // Reactions: a burst of a few clicks is normal, a stream of them is not.
  "call-reaction": { points: 20, seconds: 10 },
  "ice-servers": { points: 10, seconds: 10 },
  "session-leave": { points: 5, seconds: 10 },
  // Connections (handshakes) of one session: reloads, network changes and failovers, not a loop.
  "session-attach": { points: 30, seconds: 60 },
  // Session claims (POST /api/session) per client address, not per user: SESSION_CLAIMS_PER_MIN.
  "session-claim": { points: 60, seconds: 60 },
  // Edits and deletes of one's own messages (room and private).
  "message-change": { points: 20, seconds: 10 },
  // Reaction toggles: a few quick clicks on chips, not a stream.
  reaction: { points: 30, seconds: 10 },
  // Each connection syncs once, and dismisses a notice now and then.
  reach: { points: 20, seconds: 10 },
  // A tab marks its room read as messages arrive while it is shown (the SPA sends at most ~1/s).
  "room-read": { points: 30, seconds: 10 },
  // Per crowded client address: see ADDRESS_FAMILIES (ADDRESS_RATE_SESSIONS, 10, times the session's).
  "room-message-address": { points: 200, seconds: 10 },
  "private-message-address": { points: 300, seconds: 10 },
  "room-typing-address": { points: 600, seconds: 10 },
  "reaction-address": { points: 300, seconds: 10 },
  "message-change-address": { points: 200, seconds: 10 },
  "room-join-address": { points: 100, seconds: 10 },
  "presence-address": { points: 200, seconds: 10 },
  // Rings (call:invite, group:invite) of one person from one client address, all its sessions together,
  // keyed "<invitee>|<address>": one address cannot ring someone from many sessions; others still can.
  ring: { points: 10, seconds: 60 },
  // File offers, answers and cancels in a private chat.
  file: { points: 20, seconds: 10 },
  // A file transfer's own peer connection: a few descriptions and tens of candidates.
  "file-signal": { points: 200, seconds: 10 },
};
export type LimitFamily = keyof typeof RATE_LIMIT_DEFAULTS;

/**
 * Budgets per crowded client address (IPv6: its /64), all its crowded sessions together, on top of each
 * session's own: a session is cheap to make (session-claim allows 60 a minute from one address), so a
 * per-session budget alone lets one address send as many sessions' worth as it likes. Only sessions
 * of an address that holds (or held, since they were claimed) ADDRESS_CROWDED_SESSIONS live sessions
 * (Session.crowded) are charged: the others pay no command for it. Each is charged with its session
 * family (room-message in postRoomMessage's step, the others beside it at the edge) and, unless
 * RATE_LIMITS sets it, is ADDRESS_RATE_SESSIONS (default 10) times that family's budget in the same
 * window: a campus behind one NAT in normal use sends a fraction of it (docs/security.md). Typing, reactions, edits, deletes, moves
 * and presence changes are here because they fan out to a whole room (a move to two), like room messages.
 */
export const ADDRESS_FAMILIES = {
  "room-message-address": "room-message",
  "private-message-address": "private-message",
  "room-typing-address": "room-typing",
  "reaction-address": "reaction",
  "message-change-address": "message-change",
  "room-join-address": "room-join",
  "presence-address": "presence",
} as const satisfies Partial<Record<LimitFamily, LimitFamily>>;

/**
 * Every family's budget: the defaults, then `set` (MESSAGE_RATE_PER_10S, RATE_LIMITS); an address
 * family that `set` does not name follows its session family (`sessions` times its points).
 */
export function rateLimitsWith(
  set: Partial<Record<LimitFamily, RateLimit>>,
  sessions: number,
): Record<LimitFamily, RateLimit> {
  const limits = { ...RATE_LIMIT_DEFAULTS, ...set };
  for (const [address, session] of Object.entries(ADDRESS_FAMILIES) as [LimitFamily, LimitFamily][]) {
    if (set[address]) continue;
    const { points, seconds } = limits[session];
    limits[address] = { points: points * sessions, seconds };
  }
  return limits;
}
export const LIMIT_FAMILIES = Object.keys(RATE_LIMIT_DEFAULTS) as LimitFamily[];
export interface RateLimit {
  points: number;
  seconds: number;
}

/** `RATE_LIMITS=room-join=5/10,call-signal=300/10`: overrides of single families, points/seconds. */
export const rateLimitOverrides = z
  .string()
  .default("")
  .transform((value, ctx) => {
    const items = value
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean);
    const overrides: Partial<Record<LimitFamily, RateLimit>> = {};
    for (const item of items) {
      const match = /^([a-z-]+)=(\d+)\/(\d+)$/.exec(item);
      const family = match?.[1] as LimitFamily | undefined;
      if (
        !match ||
        !family ||
        !LIMIT_FAMILIES.includes(family) ||
        Number(match[2]) < 1 ||
        Number(match[3]) < 1
      ) {
        ctx.addIssue({
          code: "custom",
          message: `"${item}" is not <family>=<points>/<seconds> with a family of ${LIMIT_FAMILIES.join(", ")}`,
        });
        continue;
      }
      overrides[family] = { points: Number(match[2]), seconds: Number(match[3]) };
    }
    return overrides;
  });
