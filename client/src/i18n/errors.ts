// The server's error codes in the page's language. The server sends `{ code, message }` (acks, HTTP
// bodies, `session:ended`); the client words every code it knows from the code, the event that failed
// and what it knows itself (a name, a room, a wait), and shows the server's message for any other code,
// or when the text needs a detail only the server had (which field of a payload failed validation).
import { t } from "./index";

/** What the client knows about a failure besides the error: where it came from, and whom it was about. */
export interface ErrorContext {
  /** The client->server event, "http:session" (the join form), "session:ended" or "handshake". */
  event?: string;
  /**
   * The person the request was about (partner_busy), the name being claimed (name_taken), or the
   * partner of the private chat in the way (already_in_chat on a group call).
   */
  name?: string;
  /** The room asked for (unknown_room). */
  room?: string;
  /** The group call's size limit (call_full), or the file size limit in MB (file_too_large). */
  max?: number;
}

/** The error as the server (or the client's transport) gave it; `retryAfterMs` is in ms. */
export interface WordableError {
  code: string;
  message: string;
  retryAfterMs?: number;
}

/** A wait as the texts word it: whole seconds, rounded up, at least 1. */
const seconds = (ms: number | undefined) => Math.max(1, Math.ceil((ms ?? 1000) / 1000));

/** A rate limit's wait in plain words, e.g. "You are sending too fast. Try again in 3 s." */
export function waitText(retryAfterMs: number | undefined): string {
  if (retryAfterMs === undefined) return t("errors.rate_limited_moment");
  return t("errors.rate_limited", { wait: waitWords(retryAfterMs) });
}

/** A wait in seconds, or in minutes past 90 s: "3 s", "12 min". */
function waitWords(retryAfterMs: number | undefined): string {
  const s = seconds(retryAfterMs);
  return s < 90 ? t("errors.waitSeconds", { n: s }) : t("errors.waitMinutes", { n: Math.ceil(s / 60) });
}

type Wording = (error: WordableError, context: ErrorContext) => string | null;
const isGroup = (event = "") => event.startsWith("group:");

/** Per code: the client's text, or null when it cannot word this case (the server's message is shown). */
const WORDING: Record<string, Wording> = {
  session_unknown: () => t("errors.session_unknown"),
  name_taken: (_, { event, name }) => {
    if (event === "session:ended") return t("errors.name_lost");
    return name === undefined ? null : t("errors.name_taken", { name });
  },
  unknown_room: (_, { room }) => (room === undefined ? null : t("errors.unknown_room", { room })),
  not_in_room: () => t("errors.not_in_room"),
  rate_limited: (error, { event }) => {
    if (event === "http:session")
      return t("errors.rate_limited_claims", { seconds: seconds(error.retryAfterMs) });
    if (event === "handshake")
      return t("errors.rate_limited_reconnects", { seconds: seconds(error.retryAfterMs) });
    return event?.startsWith("http:") ? null : waitText(error.retryAfterMs);
  },
  flooding: (error, { event }) =>
    event === "handshake"
      ? t("errors.flooding_held", { seconds: seconds(error.retryAfterMs) })
      : t("errors.flooding"),
  too_many_connections: () => t("errors.too_many_connections"),
  partner_unavailable: () => t("errors.partner_unavailable"),
  partner_busy: (_, { name }) => (name === undefined ? null : t("errors.partner_busy", { name })),
  already_in_chat: (_, { event, name }) => {
    if (!isGroup(event)) return t("errors.already_in_chat");
    return name === undefined
      ? t("errors.already_in_chat_group")
      : t("errors.already_in_chat_group_with", { name });
  },
  no_private_chat: (_, { event }) =>
    event === "call:invite" ? t("errors.no_private_chat_open") : t("errors.no_private_chat"),
  call_exists: (_, { event }) => (isGroup(event) ? t("errors.call_exists_group") : t("errors.call_exists")),
  call_full: (_, { max }) => (max === undefined ? null : t("errors.call_full", { max })),
  no_call: (_, { event }) => (event === "call:signal" ? t("errors.no_call_none") : t("errors.no_call")),
  unavailable: () => t("errors.unavailable"),
  internal: (_, { event }) => (event?.startsWith("http:") ? null : t("errors.internal")),
  no_message: () => t("errors.no_message"),
  not_author: () => t("errors.not_author"),
  too_many_reactions: () => t("errors.too_many_reactions"),
  too_many_reactors: () => t("errors.too_many_reactors"),
  do_not_disturb: (_, { name }) => (name === undefined ? null : t("errors.do_not_disturb", { name })),
  file_too_large: (_, { max }) => (max === undefined ? null : t("errors.file_too_large", { max })),
  no_file_offer: () => t("errors.no_file_offer"),
  too_many_sessions: () => t("errors.too_many_sessions"),
  relay_busy: (error) => t("errors.relay_busy", { wait: waitWords(error.retryAfterMs) }),
};

/**
 * The text to show for `error`: the client's own wording of a known code, else the server's message
 * (an unknown code, a validation detail such as invalid_name or message_invalid).
 */
export function errorText(error: WordableError, context: ErrorContext = {}): string {
  return WORDING[error.code]?.(error, context) ?? error.message;
}
