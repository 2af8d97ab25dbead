// Builds what an emit step sends, from its descriptor and what the world knows at that moment:
// real user and call ids (the sender's own, other people's, stale ones) as well as made-up ones.
import { FORGED_KEYS, ROOMS, textOf, type Emit } from "./actions.js";
import type { Tab, User } from "./tabs.js";

const STATUSES = ["online", "absent", "unavailable"];
/** Reactions: a few (so toggles meet), a flag, a ZWJ sequence, a redundant VS16, and text that is no emoji. */
const EMOJI = ["👍", "👍\uFE0F", "🎉", "❤️", "🇪🇸", "👩🏽‍💻", "ok"];

/** A message id: mostly one this tab saw, else one that never existed. */
function messageId(tab: Tab, ref: number): number {
  const seen = tab.messageIds;
  return ref % 5 !== 0 && seen.length > 0 ? seen[seen.length - 1 - (ref % seen.length)]! : ref + 1;
}
const CANDIDATE = { candidate: "candidate:1 1 udp 2122260223 127.0.0.1 9 typ host", sdpMid: "0" };

/**
 * Someone to open a chat with: mostly a member the tab sees, as a person would pick; otherwise any
 * user of the run (oneself and gone ones included) or nobody.
 */
function partner(tab: Tab, users: User[], ref: number): string {
  const seen = [...(tab.list?.members.keys() ?? [])].filter((id) => id !== tab.user.id);
  if (ref % 4 !== 0 && seen.length > 0) return seen[ref % seen.length]!;
  return users[ref % (users.length + 1)]?.id ?? "no-such-user";
}

/** A call id: mostly the newest this tab heard of, else an older one or one that never existed. */
function callId(tab: Tab, ref: number): string {
  const pick = ref % 4 !== 0 ? 0 : ref % (tab.calls.length + 1);
  return tab.calls[tab.calls.length - 1 - pick] ?? "no-such-call";
}

/** A group call id: mostly the newest this tab heard of, else an older one or one that never existed. */
function groupCallId(tab: Tab, ref: number): string {
  const pick = ref % 4 !== 0 ? 0 : ref % (tab.groupCalls.length + 1);
  return tab.groupCalls[tab.groupCalls.length - 1 - pick] ?? "no-such-call";
}

/** Whom to signal in a group call: mostly another participant the tab was told of, else anyone. */
function groupPeer(tab: Tab, users: User[], ref: number): string {
  const others = tab.groupParticipants.filter((id) => id !== tab.user.id);
  return ref % 5 !== 0 && others.length > 0 ? others[ref % others.length]! : partner(tab, users, ref);
}

function valid(emit: Emit, tab: Tab, users: User[]): Record<string, unknown> {
  const { event, ref, flag } = emit;
  switch (event) {
    case "room:join":
      return { room: ROOMS[ref % ROOMS.length] };
    case "room:message":
    case "private:message":
      return { text: textOf(emit.text) };
    case "presence:set":
      return { status: STATUSES[ref % STATUSES.length] };
    case "presence:idle":
      return { idle: flag };
    case "private:typing":
      return { typing: flag };
    case "private:open":
      return { with: partner(tab, users, ref) };
    case "call:answer":
      return { callId: callId(tab, ref), accept: flag };
    case "call:end":
      return { callId: callId(tab, ref) };
    case "call:signal":
      return flag
        ? { callId: callId(tab, ref), description: { type: "offer", sdp: textOf(emit.text) } }
        : { callId: callId(tab, ref), candidate: ref % 3 === 0 ? null : CANDIDATE };
    case "call:media":
      return { audio: flag, video: ref % 2 === 0, screen: ref % 3 === 0 };
    case "group:join":
    case "group:decline":
      return { callId: groupCallId(tab, ref) };
    case "group:invite":
      return { with: partner(tab, users, ref) };
    case "group:signal": {
      const to = { callId: groupCallId(tab, ref), peer: groupPeer(tab, users, ref) };
      return flag
        ? { ...to, description: { type: "offer", sdp: textOf(emit.text) } }
        : { ...to, candidate: ref % 3 === 0 ? null : CANDIDATE };
    }
    case "room:edit":
    case "private:edit":
      return { id: messageId(tab, ref), text: textOf(emit.text) };
    case "room:delete":
    case "private:delete":
      return { id: messageId(tab, ref) };
    case "room:react":
    case "private:react":
      // Toggled, or set on / off as the SPA does.
      return { id: messageId(tab, ref), emoji: EMOJI[ref % EMOJI.length], ...(ref % 3 ? { on: flag } : {}) };
    case "reach:dismiss":
      return { from: partner(tab, users, ref) };
    case "room:read":
      return { room: ROOMS[ref % ROOMS.length], id: ref * 1000 };
    case "file:offer":
      return {
        fileId: fileId(ref),
        name: `file-${ref}.bin`,
        size: ref * 4096,
        type: "application/octet-stream",
      };
    case "file:answer":
      return { fileId: fileId(ref), accept: flag };
    case "file:signal":
      return flag
        ? { fileId: fileId(ref), description: { type: "offer", sdp: textOf(emit.text) } }
        : { fileId: fileId(ref), candidate: ref % 3 === 0 ? null : CANDIDATE };
    case "file:cancel":
      return { fileId: fileId(ref) };
    default:
      return {};
  }
}

/** A file transfer's id: a few of them, so that answers and cancels meet offers. */
const fileId = (ref: number) => `fuzz-file-${ref % 4}`;

/** The payload an emit step sends. A forged one adds a key the contract does not have. */
export function payloadFor(emit: Emit, tab: Tab, users: User[]): unknown {
  if (emit.variant === "junk") return emit.junk;
  if (emit.variant === "oversize") return { text: "x".repeat(70_000) }; // past the 64 KB frame limit
  const payload = valid(emit, tab, users);
  if (emit.variant === "valid") return payload;
  const key = FORGED_KEYS.filter((candidate) => !(candidate in payload))[emit.ref % 3]!;
  return { ...payload, [key]: users[emit.ref % Math.max(users.length, 1)]?.id ?? "SPORTS" };
}
