// Users who chat at a steady rate through a disturbance, and the books the failover drill checks:
// what each was acknowledged, what each member saw, how long sending paused, who left or was logged out.
import {
  asResend,
  newNonce,
  retryWhileUnavailable,
} from "../../../client/src/features/session/unavailable.js";
import type { ChatMessage } from "@videochat/protocol";
import { request } from "./clients.js";
import { eventually, trackMembers, type TabUser } from "./cluster.js";

export interface Chatter {
  user: TabUser;
  /** The member names this tab shows now. */
  members: () => string[];
  /** Every room message this tab has shown (live or in a room:state), by id. */
  seen: Map<number, ChatMessage>;
  /** The messages this user's sends were acknowledged with. */
  acked: ChatMessage[];
  /** Sends that ended in an error the SPA would show (after its own retries). */
  failed: string[];
  /** member-left events and session:ended events this tab got (each one a flicker a user sees). */
  left: number;
  ended: number;
}

export function follow(user: TabUser): Chatter {
  const chatter: Chatter = {
    user,
    members: trackMembers(user),
    seen: new Map(),
    acked: [],
    failed: [],
    left: 0,
    ended: 0,
  };
  for (const message of user.state.history) chatter.seen.set(message.id, message);
  user.socket.on("room:message", (message) => chatter.seen.set(message.id, message));
  user.socket.on("room:state", (state) => {
    for (const message of state.history) chatter.seen.set(message.id, message);
  });
  user.socket.on("room:member-left", () => (chatter.left += 1));
  user.socket.on("session:ended", () => (chatter.ended += 1));
  return chatter;
}

/** Acknowledgement times (epoch ms) of every send, to find the longest pause. */
export interface ChatLoad {
  ackTimes: number[];
  /** Stops sending and resolves once every send in flight has its answer. */
  stop(): Promise<void>;
}

/**
 * Each chatter sends one message every `periodMs`, staggered so the room gets an even stream; a send
 * refused as `unavailable` is sent again exactly as the SPA's socket does (client/src/unavailable.ts).
 */
export function chat(chatters: Chatter[], periodMs: number): ChatLoad {
  const ackTimes: number[] = [];
  let running = true;
  const start = Date.now();
  const loops = chatters.map(async (chatter, index) => {
    const offset = (index * periodMs) / chatters.length;
    for (let n = 0; running; n++) {
      // Pacing a load, not waiting for a state: the next send is due at a fixed time.
      const due = start + offset + n * periodMs;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      if (!running) break;
      const text = `${chatter.user.name} #${n}`;
      // As the SPA sends: a nonce per message, the same payload marked as a re-send after `unavailable`.
      const payload = { text, nonce: newNonce() };
      const answer = await retryWhileUnavailable((retry) =>
        request(chatter.user.socket, "room:message", retry ? asResend(payload) : payload),
      ).catch((error: Error) => ({ ok: false as const, error: { code: error.message } }));
      if (answer.ok) {
        chatter.acked.push(answer.message as ChatMessage);
        ackTimes.push(Date.now());
      } else chatter.failed.push(`${text}: ${answer.error.code}`);
    }
  });
  return {
    ackTimes,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** The longest time (ms) between two acknowledgements in the room, from `from` on. */
export function longestPause(ackTimes: number[], from: number, to: number): number {
  const times = [from, ...ackTimes.filter((time) => time > from && time < to).sort((a, b) => a - b), to];
  return Math.max(...times.slice(1).map((time, i) => time - times[i]!));
}

/** What a member is missing of the acked messages, and texts it shows under two ids (duplicates). */
export function audit(chatter: Chatter, acked: ChatMessage[]) {
  const missing = acked.filter((message) => chatter.seen.get(message.id)?.text !== message.text);
  const ids = new Map<string, number[]>();
  for (const message of chatter.seen.values())
    ids.set(message.text, [...(ids.get(message.text) ?? []), message.id]);
  const duplicated = [...ids.entries()].filter(([, list]) => list.length > 1).map(([text]) => text);
  return { missing, duplicated };
}

/** What a drill's chatters add up to: every acked message, and what users would have noticed. */
export interface Tally {
  acked: ChatMessage[];
  /** The most acked messages missing at one member; texts shown under two ids at one member. */
  lost: number;
  duplicated: number;
  /** Sends that ended in an error after the SPA's own retries. */
  failed: string[];
  /** member-left and session:ended events over all tabs. */
  left: number;
  ended: number;
}

/**
 * Waits up to `timeoutMs` for every member to have every acked message (resyncs follow a subscriber's
 * return), then counts; what is still missing shows in the figures rather than as a timeout.
 */
export async function tally(chatters: Chatter[], timeoutMs: number): Promise<Tally> {
  const acked = chatters.flatMap((chatter) => chatter.acked);
  await eventually(
    () => chatters.every((chatter) => audit(chatter, acked).missing.length === 0),
    timeoutMs,
    "every member has every acknowledged message",
  ).catch(() => undefined);
  const audits = chatters.map((chatter) => audit(chatter, acked));
  return {
    acked,
    lost: Math.max(...audits.map((result) => result.missing.length)),
    duplicated: Math.max(...audits.map((result) => result.duplicated.length)),
    failed: chatters.flatMap((chatter) => chatter.failed),
    left: chatters.reduce((sum, chatter) => sum + chatter.left, 0),
    ended: chatters.reduce((sum, chatter) => sum + chatter.ended, 0),
  };
}
