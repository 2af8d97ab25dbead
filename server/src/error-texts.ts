// Every text the server puts in front of a person, in one table keyed by error code. The client may
// word a code itself (it knows the code and retryAfterMs); the server's text is what it shows when it
// does not. One code can have several causes, named under it. Waits are in whole seconds.
import type { ErrorCode } from "@videochat/protocol";

type Text = string | ((...args: never[]) => string);

export const TEXTS = {
  session_unknown: {
    ended: "Your session has ended. Join again.",
    none: "No session: join with a display name first.",
    closed: "The connection closed.",
  },
  name_taken: {
    claimed: (name: string) =>
      `The name “${name}” is taken, or looks the same as one in use. Choose another one.`,
    lost: "Your session ended and someone else has taken your name meanwhile. Choose another one.",
  },
  unknown_room: (room: string) => `There is no room called ${room}.`,
  not_in_room: "Enter a room first.",
  rate_limited: {
    events: (seconds: number) => `You are sending too fast. Try again in ${seconds} s.`,
    claims: (seconds: number) =>
      `Too many joins from your network in the last minute. Try again in ${seconds} s.`,
    streams: (seconds: number) => `Too many join screens open from your address. Try again in ${seconds} s.`,
    reconnects: (seconds: number) => `Too many reconnections. Connecting again in ${seconds} s.`,
    rings: (name: string, seconds: number) =>
      `${name} has been called from your network too often. Try again in ${seconds} s.`,
  },
  flooding: {
    cut: "This tab sent far too many events too fast, so the server closed its connection.",
    held: (seconds: number) => `This session sent far too many events. Connecting again in ${seconds} s.`,
  },
  too_many_connections: "This session is open in too many tabs. Close one, then reload.",
  partner_unavailable: "That person is not in your room any more.",
  partner_busy: (name: string) => `${name} is already talking with someone else`,
  already_in_chat: {
    private: "Close your private chat first.",
    group: "You are already talking with someone. Leave that conversation first.",
  },
  no_private_chat: { open: "Open a private chat first.", none: "You have no private chat open." },
  call_exists: {
    private: "There is already a call in this chat.",
    group: "A group call is already on in this room: join it.",
  },
  call_full: (max?: number) => `The call is full: ${max ?? "the most"} people are in it.`,
  no_call: { ended: "That call has ended.", none: "You are not in a call." },
  invalid_payload: { event: "There is no such event." },
  no_message: "That message is no longer in the history.",
  not_author: "Only the author of a message can edit or delete it.",
  too_many_reactions: (max: number) => `A message can have at most ${max} different reactions.`,
  too_many_reactors: "This message has all the reactions it can hold.",
  unavailable: "The server is switching over. Try again in a moment.",
  do_not_disturb: (name: string) => `${name} is unavailable`,
  file_too_large: (maxMb: number) => `That file is too large: the limit is ${maxMb} MB.`,
  no_file_offer: "That file is no longer offered.",
  too_many_sessions: (max: number) =>
    `Too many people on your network are in the chat right now (${max}). Try again when some have left.`,
  relay_busy: (seconds: number) =>
    `Too many people on your network hold the call relay right now. Try again in ${seconds} s.`,
  internal: {
    bug: "Something went wrong on our side. Please try again.",
    check: "The server cannot check your session right now.",
    slow: "The server is too slow right now. Try again.",
    watchers: "Too many watchers here. Try again shortly.",
    other: "That did not work.",
  },
} satisfies Partial<Record<ErrorCode, Text | Record<string, Text>>>;

/** A wait as the texts word it: whole seconds, rounded up, at least 1. */
export const waitSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
