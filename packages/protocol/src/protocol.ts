// The contract between server and SPA: every event, its payload and its acknowledgement.
// Types only: the client imports this file with `import type`, so nothing here may exist at runtime.
import type { REACTIONS } from "./reactions.js";

export type PresenceStatus = "online" | "absent" | "unavailable";

export type ErrorCode =
  | "invalid_payload" // the payload failed validation (wrong type, missing field, unknown key)
  | "invalid_name" // display name breaks the naming rules (e.g. shows no visible letter or digit)
  | "name_taken" // another live session holds this display name or one that looks the same
  | "unknown_room" // the room is not in the configured list
  | "message_invalid" // empty, only invisible characters, or longer than the limit
  | "not_in_room" // the session has not entered a room yet
  | "session_unknown" // the token is missing, wrong, or its session expired
  | "rate_limited" // too many events in a short time
  | "origin_forbidden" // the handshake came from an origin that is not allowed
  | "partner_unavailable" // the person is not in your room (or gone)
  | "partner_busy" // the person is already talking with someone else (a private chat or a group call)
  | "call_full" // the group call has GROUP_CALL_MAX participants already
  | "already_in_chat" // you have a private chat open; close it first
  | "no_private_chat" // the event needs an open private chat
  | "call_exists" // this private chat already has a call
  | "no_call" // no such call (ended, or never started)
  | "too_many_connections" // this session already has the most tabs (connections) allowed
  | "sfu_unavailable" // no SFU node can take the call's media now (try again; docs/sfu.md)
  | "flooding" // this connection kept sending past its limits and was closed; reconnect after retryAfterMs
  | "unavailable" // not confirmed: Redis is failing over; send the same event again after retryAfterMs
  | "internal" // a bug on our side; details are in the server log, not here
  | "no_message" // the message is not in the kept history (too old, or deleted)
  | "not_author" // only the author of a message may edit or delete it
  | "too_many_reactions" // the message has MAX_REACTIONS distinct reactions already
  | "too_many_reactors" // the message's reactions name MAX_REACTION_USERS people (summed) already
  | "do_not_disturb" // the person chose "Unavailable": not interrupted now (they will see that you tried)
  | "file_too_large" // the file is larger than the limit (SessionReady.settings.fileMaxBytes)
  | "no_file_offer" // no such file is offered to you in your private chat now (answered, cancelled or expired)
  | "relay_busy" // TURN_USERS_PER_ADDRESS people from your address hold relay credentials already; retry after retryAfterMs
  | "too_many_sessions"; // SESSIONS_PER_ADDRESS people from your address are signed in already (HTTP 429)

export interface AppError {
  code: ErrorCode;
  message: string;
  /**
   * With `rate_limited`, `flooding`, `unavailable` and `relay_busy`: milliseconds until a retry can succeed (HTTP also sends
   * Retry-After in seconds).
   */
  retryAfterMs?: number;
}

/** Every acknowledgement is one of these: results on success, a coded error otherwise. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: AppError };
export type AckCallback<T extends object = object> = (response: Ack<T>) => void;

export interface UserRef {
  id: string;
  name: string;
}

export interface Member extends UserRef {
  status: PresenceStatus;
  /** Talking with someone: in a private chat or a group call (one conversation at a time). */
  busy: boolean;
  /** In the room's group call (a subset of busy). */
  inCall?: boolean;
}

/** One emoji on a message and who reacted with it, in the order they did (never anyone twice). */
export interface Reaction {
  emoji: string;
  users: UserRef[];
}

/** The message a reply quotes: its id, author and first line (empty, with `deleted`, once it is deleted). */
export interface ReplyQuote {
  id: number;
  from: UserRef;
  text: string;
  deleted?: true;
}

/**
 * What edits, deletes, reactions and replies add to a room or private message. A deleted message
 * keeps its id, author and time; its text is "" in the Store and everywhere else.
 */
export interface MessageExtras {
  /** Server time of the last edit, epoch milliseconds. */
  editedAt?: number;
  deleted?: true;
  /** At most MAX_REACTIONS distinct emoji; absent when there are none. */
  reactions?: Reaction[];
  replyTo?: ReplyQuote;
  /**
   * How many times the message was rewritten after it was sent (an edit, a delete, a reaction, its
   * quote of a changed message); absent when never. A resume re-sends every kept message that has one,
   * so a tab that was away sees the changes it missed.
   */
  rev?: number;
}

export interface ChatMessage extends MessageExtras {
  /** Increasing per room; a resuming client asks for what follows the last id it saw (and gets the changed ones). */
  id: number;
  room: string;
  from: UserRef;
  text: string;
  /** Server time, epoch milliseconds. */
  at: number;
  /** The sender's id for this message (see `room:message`): a re-send after `unavailable` finds it. */
  nonce?: string;
  /**
   * Set on a line the server keeps about the room's group call, so that everyone, later joiners too,
   * sees it in the history: `started` (`from` is who started it) or `ended` (`from` is `{ id: "", name: "" }`:
   * a call ends in many ways, not always by someone's hand); `text` is a plain fallback. Nobody edits or
   * deletes it.
   */
  call?: "started" | "ended";
}

export interface RoomOccupancy {
  name: string;
  count: number;
  /**
   * The room's membership version the count was read at. Counts of one room can arrive out of order
   * (several instances announce them): a client keeps the one with the highest version.
   */
  version: number;
}

/** Why a member left a room; the feed words its system line from this. */
export type LeaveReason = "left" | "moved" | "timeout";

/**
 * Membership deltas carry the room's membership version. A client applies a delta only when its
 * version is newer than both its snapshot and what it last saw for that member, so deltas that
 * arrive out of order (or before the snapshot) can never make a stale list win.
 */
export interface MemberJoined {
  room: string;
  version: number;
  member: Member;
}
export interface MemberLeft {
  room: string;
  version: number;
  member: Member;
  reason: LeaveReason;
  /** Set when reason is "moved". */
  to?: string;
}
export interface MemberUpdated {
  room: string;
  version: number;
  member: Member;
  /**
   * Set when the member picked a status by hand (`presence:set`): what they picked, which the room
   * sees as `member.status` unless every tab of theirs is idle. Their own other tabs show it in the
   * Status control (one broadcast instead of a second one to the user's tabs).
   */
  chosen?: PresenceStatus;
}

export interface RoomState {
  room: string;
  /**
   * The recipient's room-move count when this state was sent. States can overtake each other (two
   * tabs moving at once): a tab ignores a state older than one it already applied.
   */
  roomSeq: number;
  version: number;
  members: Member[];
  /** The recent history, or only what follows `lastMessageId` when the client resumed. */
  history: ChatMessage[];
  /** The room's group call, if one is on. */
  groupCall?: GroupCall | null;
}

export interface SessionReady {
  user: UserRef;
  room: string;
  /** The status the user chose by hand (the room may see "absent" while every tab is idle). */
  status: PresenceStatus;
  /** True when this connection picked up a session that was already live (reload, reconnect). */
  resumed: boolean;
  instanceId: string;
  settings: {
    idleTimeoutMs: number;
    sessionGraceMs: number;
    messageMaxLength: number;
    /** The largest file a private chat may offer peer to peer (file:offer), in bytes. */
    fileMaxBytes?: number;
  };
}

// ---- Reaching people: do not disturb, unread counts ----

/** How someone tried to reach a person who could not be interrupted. */
export type ReachKind = "chat" | "call" | "group";

/**
 * Kept for a person whose status was "Unavailable" (or who was busy) when `from` tried to reach them:
 * they see "<name> tried to reach you" once available, until they dismiss it. One per sender, the newest.
 */
export interface ReachAttempt {
  from: UserRef;
  kind: ReachKind;
  /** Epoch ms of the attempt. */
  at: number;
}

/** A room's newest message id (ChatMessage.id; 0 before its first message). */
export interface RoomLatest {
  name: string;
  lastMessageId: number;
}

// ---- Files sent peer to peer in a private chat (bytes over an RTCDataChannel, never the server) ----

/** What the receiver is shown before accepting; `size` in bytes, `type` a MIME type ("" if unknown). */
export interface FileOffer {
  /** The sender's id for this transfer (8-64 of A-Z a-z 0-9 _ -). */
  fileId: string;
  name: string;
  size: number;
  type: string;
}

/** What a file transfer's peer connection starts with (as call:ice-servers answers for calls). */
export interface FileIce {
  iceServers: IceServer[];
  iceTransportPolicy: IceTransportPolicy;
}

/** Signalling of a file transfer's own peer connection: a description or a trickled candidate. */
export interface FileSignal {
  fileId: string;
  description?: SessionDescription;
  candidate?: IceCandidate | null;
}

// ---- Private chat and calls ----

export interface PrivateChat {
  id: string;
  with: UserRef;
}

export interface PrivateMessage extends MessageExtras {
  /** Increasing per pair of people: a reopened chat shows the pair's earlier messages. */
  id: number;
  chatId: string;
  from: UserRef;
  text: string;
  at: number;
  /**
   * Set on a line the server keeps about a call that did not happen, so both sides (and a reload) see
   * it in the chat's history: `from` is the caller, `text` a plain fallback ("Missed call").
   */
  call?: "missed" | "declined";
}

/** closed: the partner closed it; left_room: moved to another room; left: logged out; timeout: gone past the grace period. */
export type PrivateCloseReason = "closed" | "left_room" | "left" | "timeout";

export interface PrivateClosed {
  chatId: string;
  by: UserRef;
  reason: PrivateCloseReason;
}

export interface CallInfo {
  id: string;
  callerId: string;
  state: "ringing" | "active";
  /** Raised hands in the call: user id -> when raised (epoch ms). Absent while none is up. */
  hands?: Record<string, number>;
}

/**
 * Why a 1:1 call ended. `left`: the other side's page closed (a closed tab) and did not come back;
 * `lost`: the other side's connection was lost and did not come back within the grace (CALL_GRACE_MS).
 */
export type CallEndReason = "hangup" | "declined" | "missed" | "chat_closed" | "failed" | DepartReason;

/** Why someone's place in a call ended without a hang-up: their page closed, or their connection was lost. */
export type DepartReason = "left" | "lost";

/**
 * A participant of the recipient's call whose page went away (`away`: reload, closed tab or lost
 * connection; the others show "<name> is reconnecting…" until the grace ends) or holds the place
 * again (`back`). `rejoined`: a new page load took the place (a reload): its media starts over, so
 * the others' connections to it do too.
 */
export interface CallParticipantPresence {
  callId: string;
  user: UserRef;
  state: "away" | "back";
  rejoined?: boolean;
}

/**
 * The room's group call changed. With `call: null`, `endedCallId` names the call that ended, so a tab
 * can tell a late "ended" of an older call (relayed through another instance) from the end of the call
 * it shows. `departed`: who was taken out when their grace ended, and why.
 */
export interface GroupState {
  room: string;
  call: GroupCall | null;
  endedCallId?: string;
  departed?: { user: UserRef; reason: DepartReason };
}

// ---- Group calls: a full mesh of peer connections among a room's participants ----

/** A room's group call as every member of the room sees it. */
export interface GroupCall {
  id: string;
  room: string;
  /** In the order they joined; the first one started the call. */
  participants: UserRef[];
  /** Bumped at every change of the call; a client keeps the state with the highest version. */
  version: number;
  /** The most participants allowed (GROUP_CALL_MAX): a mesh stops working on ordinary machines beyond ~6. */
  max: number;
  /**
   * Each participant's media state by user id, as they last told it (call:media), so that a joiner's
   * stage is right at once; absent until told (microphone and camera on, no screen).
   */
  media: Record<string, MediaState>;
  /**
   * Raised hands: participant id -> when they raised it (epoch ms, so lists can put the first raised
   * first). Absent or empty: no hand is up. A hand goes down with "Lower hand" or when its owner leaves.
   */
  hands?: Record<string, number>;
}

/** One of the emoji a participant can send to everyone in their call (reactions.ts lists them). */
export type CallReaction = (typeof REACTIONS)[number];

/** One m-line of an SFU subscription: whose media it carries (`userId`), audio or video. */
export interface SfuStream {
  mid: string;
  userId: string;
  kind: "audio" | "video";
  /** A video stream that carries the user's screen share (its publisher said so), not their camera. */
  screen?: true;
}

/** An ICE candidate of one of a participant's two SFU connections (W3C RTCIceCandidateInit). */
export interface SfuTrickle {
  callId: string;
  target: "publisher" | "subscriber";
  candidate: IceCandidate | null;
}

/** One participant's media, told to the others so that tiles show initials and a muted badge. */
export interface MediaState {
  audio: boolean;
  video: boolean;
  screen: boolean;
}

/**
 * Perfect-negotiation signalling between two participants of one group call. Client to server, `peer`
 * is the recipient; server to client, the sender. The server checks that both are participants of
 * `callId` on every signal and never reads SDP. The polite side of a pair is the one with the
 * greater user id (string order), so both sides agree without a round trip.
 */
export interface GroupSignal {
  callId: string;
  peer: string;
  description?: SessionDescription;
  candidate?: IceCandidate | null;
}

export interface SessionDescription {
  type: "offer" | "answer" | "pranswer" | "rollback";
  sdp?: string;
}

export interface IceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** One perfect-negotiation message: a description or a trickled candidate (null: end of candidates). */
export interface CallSignal {
  callId: string;
  description?: SessionDescription;
  candidate?: IceCandidate | null;
}

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** RTCConfiguration.iceTransportPolicy (W3C webrtc-pc): "relay" uses TURN candidates only. */
export type IceTransportPolicy = "all" | "relay";

/** What the SPA sends in the Socket.IO handshake `auth` field. */
export interface HandshakeAuth {
  token: string;
  /** The last room message id this tab saw, for resuming without loss or duplicates. */
  lastMessageId?: number;
  /** The room `lastMessageId` belongs to. */
  lastRoom?: string;
  /**
   * This page load's random id: the same on every reconnect of the page, new after a reload. A call is
   * held by the page that joined it (a reloaded page has lost the media).
   */
  page?: string;
}

export interface ClientToServerEvents {
  "room:join": (payload: { room: string }, ack: AckCallback<{ room: string }>) => void;
  /**
   * `nonce`: the sender's own id for this message (8-64 of A-Z a-z 0-9 _ -). Sent again with
   * `retry: true` after an `unavailable` refusal, the message is posted once: if the first try was
   * kept after all, the ack carries it.
   */
  "room:message": (
    payload: { text: string; nonce?: string; retry?: boolean; replyTo?: number },
    ack: AckCallback<{ message: ChatMessage }>,
  ) => void;
  /** "is typing…" in the room: sent while keys are pressed (every few seconds) and when they stop. */
  "room:typing": (payload: { typing: boolean }, ack: AckCallback) => void;
  /** The status the user picks by hand; every tab of the session shows it. */
  "presence:set": (payload: { status: PresenceStatus }, ack: AckCallback<{ status: PresenceStatus }>) => void;
  /**
   * This tab became idle or hidden, or active again. The session shows "absent" to the room only
   * while every one of its tabs is idle (and the user chose "online").
   */
  "presence:idle": (payload: { idle: boolean }, ack: AckCallback) => void;
  /** Explicit log-out: the name is released at once and the socket is closed. */
  "session:leave": (payload: Record<string, never>, ack: AckCallback) => void;
  /**
   * Starts (`watch: true`) or stops receiving `rooms:occupancy` on this socket: a tab watches while it
   * shows room counts. Starting answers every configured room's count; stopping answers no rooms.
   */
  "rooms:watch": (payload: { watch: boolean }, ack: AckCallback<{ rooms: RoomOccupancy[] }>) => void;

  /** Opens a private chat with another member of the sender's room. */
  "private:open": (payload: { with: string }, ack: AckCallback<{ chat: PrivateChat }>) => void;
  /** Goes to the sender's current private chat; there is no recipient field to forge. */
  "private:message": (
    payload: { text: string; replyTo?: number },
    ack: AckCallback<{ message: PrivateMessage }>,
  ) => void;
  "private:typing": (payload: { typing: boolean }, ack: AckCallback) => void;
  "private:close": (payload: Record<string, never>, ack: AckCallback) => void;

  /** Rings the partner of the sender's private chat. */
  "call:invite": (payload: Record<string, never>, ack: AckCallback<{ call: CallInfo }>) => void;
  "call:answer": (payload: { callId: string; accept: boolean }, ack: AckCallback) => void;
  /** Relayed only to the partner of the sender's private chat, for the current call. */
  "call:signal": (payload: CallSignal, ack: AckCallback) => void;
  "call:end": (payload: { callId: string }, ack: AckCallback) => void;
  /**
   * Fresh ICE servers (TURN credentials expire), asked before each call, each ICE restart and, during a
   * call, at half the remaining lifetime of the credentials (TURN_TTL_S, at most an hour), and the
   * operator's ICE transport policy for the peer connections ("relay" hides peers' addresses). Issued
   * credentials follow coturn's REST convention: `username` is "<expiry unix seconds>:<user id>", which
   * is how a client knows when to renew them.
   */
  "call:ice-servers": (
    payload: Record<string, never>,
    ack: AckCallback<{ iceServers: IceServer[]; iceTransportPolicy: IceTransportPolicy; sfu?: boolean }>,
  ) => void;
  /** This user's media changed (mute, camera off, screen share): told to everyone in their current call. */
  "call:media": (payload: MediaState, ack: AckCallback) => void;

  /** Starts the room's group call with the sender as its first participant (one per room). */
  "group:start": (payload: Record<string, never>, ack: AckCallback<{ call: GroupCall }>) => void;
  /** Joins the room's group call; a newcomer then offers to everyone already in it. */
  "group:join": (payload: { callId: string }, ack: AckCallback<{ call: GroupCall }>) => void;
  "group:leave": (payload: Record<string, never>, ack: AckCallback) => void;
  /** A participant rings a member of the room; `partner_busy` when that person is talking already. */
  "group:invite": (payload: { with: string }, ack: AckCallback) => void;
  "group:decline": (payload: { callId: string }, ack: AckCallback) => void;
  "group:signal": (payload: GroupSignal, ack: AckCallback) => void;
  /**
   * "Raise hand" / "Lower hand" in the sender's group call `callId` (only a participant may): kept with
   * the call, so it crosses instances and survives a reload; the room gets the new `group:state`.
   */
  "group:hand": (payload: { callId: string; raised: boolean }, ack: AckCallback) => void;
  /**
   * "Raise hand" / "Lower hand" in the sender's 1:1 call `callId` (only one of its two sides may): kept
   * with the call like a group call's; both sides get `call:hands`.
   */
  "call:hand": (payload: { callId: string; raised: boolean }, ack: AckCallback) => void;
  /**
   * A reaction to everyone else in the sender's call `callId`, 1:1 or group (only a participant may);
   * relayed as `call:reaction`, never kept. The sender shows its own at once.
   */
  "call:reaction": (payload: { callId: string; reaction: CallReaction }, ack: AckCallback) => void;

  /** SFU calls (docs/sfu.md): joins the call's VideoRoom; the server then offers the others' media (sfu:offer). */
  "sfu:join": (payload: { callId: string }, ack: AckCallback) => void;
  /** The sender's publisher offer (audio, video with simulcast): answered by Janus through the server. */
  "sfu:publish": (
    /** `screenMid`: the offer's m-line that carries a screen share, if one does. */
    payload: { callId: string; description: { type: "offer"; sdp: string }; screenMid?: string },
    ack: AckCallback<{ description: SessionDescription }>,
  ) => void;
  /** The answer to the last sfu:offer (the subscription to the others' media). */
  "sfu:answer": (
    payload: { callId: string; description: { type: "answer"; sdp: string } },
    ack: AckCallback,
  ) => void;
  /** An ICE candidate of the publisher or the subscriber connection; null: gathering completed. */
  "sfu:trickle": (payload: SfuTrickle, ack: AckCallback) => void;
  /**
   * An ICE restart of the sender's subscriber connection (its TURN credentials renewed, or its path
   * failed): Janus re-offers the subscription with fresh ICE credentials (sfu:offer). Queued behind any
   * renegotiation under way; nothing happens while there is no subscription yet.
   */
  "sfu:restart": (payload: { callId: string }, ack: AckCallback) => void;

  /** The sender's own message `id` in their room gets `text` (author only; not a deleted one). */
  "room:edit": (payload: { id: number; text: string }, ack: AckCallback<{ message: ChatMessage }>) => void;
  /**
   * Deletes the sender's own room message: its text leaves the Store; everyone sees "Message deleted".
   * Idempotent: the sender's delete of a message already deleted answers it (a re-send after `unavailable`).
   */
  "room:delete": (payload: { id: number }, ack: AckCallback<{ message: ChatMessage }>) => void;
  /**
   * Adds the sender's `emoji` reaction to a room message, or takes it back if it is there. With `on`,
   * sets it instead (idempotent: a re-send after `unavailable` cannot undo the first try).
   */
  "room:react": (
    payload: { id: number; emoji: string; on?: boolean },
    ack: AckCallback<{ message: ChatMessage }>,
  ) => void;
  /** As room:edit, in the sender's private chat (the pair's history). */
  "private:edit": (
    payload: { id: number; text: string },
    ack: AckCallback<{ message: PrivateMessage }>,
  ) => void;
  /** As room:delete, for a message of the pair's private history. */
  "private:delete": (payload: { id: number }, ack: AckCallback<{ message: PrivateMessage }>) => void;
  "private:react": (
    payload: { id: number; emoji: string; on?: boolean },
    ack: AckCallback<{ message: PrivateMessage }>,
  ) => void;
  /**
   * On every connection: the user's last-read position per room, every room's newest id, and the
   * attempts to reach them (none while they are "Unavailable").
   */
  "reach:sync": (
    payload: Record<string, never>,
    ack: AckCallback<{
      lastRead: Record<string, number>;
      latest: Record<string, number>;
      attempts: ReachAttempt[];
    }>,
  ) => void;
  /** Forgets the "tried to reach you" of `from` (every tab of the user hides it). */
  "reach:dismiss": (payload: { from: string }, ack: AckCallback) => void;
  /** The user has seen the sender's room up to message `id`: every tab's count for the room clears to it. */
  "room:read": (payload: { room: string; id: number }, ack: AckCallback<{ id: number }>) => void;
  /**
   * Offers a file to the partner of the sender's private chat (refused past settings.fileMaxBytes).
   * The ack carries the sender's ICE servers for the transfer's own peer connection.
   */
  "file:offer": (payload: FileOffer, ack: AckCallback<FileIce>) => void;
  /** The receiver accepts or declines an offer (relayed to both partners' tabs); accepting, its ICE servers. */
  "file:answer": (payload: { fileId: string; accept: boolean }, ack: AckCallback<Partial<FileIce>>) => void;
  /** Relayed to the partner of the sender's private chat only. */
  "file:signal": (payload: FileSignal, ack: AckCallback) => void;
  /** Either side stops a transfer (offered, or under way). */
  "file:cancel": (payload: { fileId: string }, ack: AckCallback) => void;
}

export interface ServerToClientEvents {
  "session:ready": (payload: SessionReady) => void;
  /**
   * Sent just before the server closes a connection on purpose. `session_unknown`: the session is
   * gone (expired while this instance was cut off, or its Store lost it) and could not be rebuilt;
   * `name_taken`: it could not be rebuilt because someone else holds the name now;
   * `too_many_connections`: this session has the most tabs allowed open already;
   * `flooding`: this connection kept sending past its limits; the session may connect again after
   * `retryAfterMs` (a handshake before then is refused with the same code).
   */
  "session:ended": (payload: AppError) => void;
  "room:state": (payload: RoomState) => void;
  /**
   * To the other tabs of a session when one of them picks a status by hand and the session is in no
   * room yet; in a room, they learn it from `room:member-updated`'s `chosen`.
   */
  "presence:chosen": (payload: { status: PresenceStatus }) => void;
  "room:member-joined": (payload: MemberJoined) => void;
  "room:member-left": (payload: MemberLeft) => void;
  "room:member-updated": (payload: MemberUpdated) => void;
  "room:message": (payload: ChatMessage) => void;
  /** To the others in the room (and the typist's other tabs): someone started or stopped typing. */
  "room:typing": (payload: { room: string; user: UserRef; typing: boolean }) => void;
  /**
   * To watching sockets only (`rooms:watch`): the rooms whose count changed, coalesced for the cluster
   * (at most one per socket per window). GET /api/rooms gives every room; GET /api/rooms/live streams
   * the same counts as server-sent events to the join screen, which has no socket.
   */
  "rooms:occupancy": (payload: { rooms: RoomOccupancy[] }) => void;

  /** To both partners (every tab) when a chat opens, and to a resuming tab with its messages and call. */
  "private:opened": (payload: { chat: PrivateChat; messages: PrivateMessage[]; call?: CallInfo }) => void;
  "private:message": (payload: PrivateMessage) => void;
  "private:typing": (payload: { chatId: string; typing: boolean }) => void;
  /** To the partner of whoever closed (and to the closer's other tabs). */
  "private:closed": (payload: PrivateClosed) => void;

  "call:incoming": (payload: { call: CallInfo; from: UserRef }) => void;
  "call:answered": (payload: { callId: string; accept: boolean }) => void;
  "call:signal": (payload: CallSignal) => void;
  /** `by`: whose departure ended it (with `left` and `lost`). */
  "call:ended": (payload: { callId: string; reason: CallEndReason; by?: UserRef }) => void;
  /** To the others in a call (1:1 or group): a participant's page is away or back (see the type). */
  "call:participant": (payload: CallParticipantPresence) => void;
  /**
   * To a new page load of the tab that held the user's place in a call (a reload), after its room state
   * and chat: the place is still this tab's; the page starts its media again by itself.
   */
  "call:held": (payload: { callId: string; kind: "private" | "group" }) => void;
  /** Someone in the recipient's current call (1:1 or group) changed their media. */
  "call:media": (payload: MediaState & { callId: string; user: UserRef }) => void;
  /** To both sides of a 1:1 call whose raised hands changed: who has a hand up now (user id -> since). */
  "call:hands": (payload: { callId: string; hands: Record<string, number> }) => void;
  /** Someone else in the recipient's current call (1:1 or group) sent a reaction: it floats over their tile. */
  "call:reaction": (payload: { callId: string; user: UserRef; reaction: CallReaction }) => void;

  /** To the room on every change of its group call; `call` is null once the last participant left. */
  "group:state": (payload: GroupState) => void;
  /** To the invitee (every tab): an incoming-call prompt naming the inviter. */
  "group:invited": (payload: { call: GroupCall; from: UserRef }) => void;
  /** To the inviter: the invitation was declined, or expired unanswered. */
  "group:declined": (payload: { callId: string; by: UserRef; reason: "declined" | "missed" }) => void;
  "group:signal": (payload: GroupSignal) => void;

  /** A (new) subscription offer from the call's SFU: `streams` says whose media each m-line carries. */
  "sfu:offer": (payload: { callId: string; description: SessionDescription; streams: SfuStream[] }) => void;
  /** The call's media moved to another SFU node (its node died): publish and subscribe again. */
  "sfu:moved": (payload: { callId: string }) => void;
  /** Janus's audio-level verdict on a participant of the recipient's call. */
  "sfu:talking": (payload: { callId: string; userId: string; talking: boolean }) => void;

  /** To the room: a message was edited, deleted or reacted to (the whole message as it now is). */
  "room:message-changed": (payload: ChatMessage) => void;
  /** To both partners: a message of their private chat changed. */
  "private:message-changed": (payload: PrivateMessage) => void;
  /** Someone tried to reach the recipient while they were busy (live), to every tab. */
  "reach:attempt": (payload: ReachAttempt) => void;
  /** One tab dismissed the attempt of `from`: the others hide it too. */
  "reach:dismissed": (payload: { from: string }) => void;
  /** The user's read position in `room` moved (one of their tabs showed it). */
  "room:read": (payload: { room: string; id: number }) => void;
  /**
   * To watching sockets (rooms:watch), coalesced per instance (at most one per second): the newest
   * message id of rooms that had messages. With room:read, a tab counts unread messages everywhere.
   */
  "rooms:latest": (payload: { rooms: RoomLatest[] }) => void;
  /** To the partner: a file offered in the private chat, with who offers it. */
  "file:offered": (payload: FileOffer & { from: UserRef }) => void;
  /** To both partners' tabs: the receiver's answer. */
  "file:answered": (payload: { fileId: string; accept: boolean }) => void;
  "file:signal": (payload: FileSignal) => void;
  /** To both partners' tabs: the transfer stopped (`by` who cancelled). */
  "file:cancelled": (payload: { fileId: string; by: UserRef }) => void;
}

/** Between instances (Socket.IO `serverSideEmit`), never from a client. */
export interface InterServerEvents {
  /** Every socket of `userId` follows `room`, unless it already follows a newer move (`roomSeq`). */
  "user:room": (payload: { userId: string; room: string; roomSeq: number }) => void;
  /**
   * An instance run was taken over (it died, or restarted under its id): what it was about to tell
   * sockets on other instances may be lost, so every instance re-sends its sockets their state.
   */
  "cluster:resync": () => void;
  /** A participant's media reached call `callId`'s SFU: every instance re-reads the subscriptions it holds. */
  "sfu:published": (payload: { callId: string; userId: string }) => void;
  /** Counts an instance read for the rooms it changed: every instance passes them to its watchers. */
  "rooms:occupancy": (payload: { rooms: RoomOccupancy[] }) => void;
  /** The newest message ids of the rooms an instance posted to in its last window. */
  "rooms:latest": (payload: { rooms: RoomLatest[] }) => void;
  /** These sessions' client address became crowded: their sockets spend its budgets from now on. */
  "sessions:crowded": (payload: { userIds: string[] }) => void;
}

/**
 * What a socket carries: its identity, set once by the handshake middleware, and what it knows of
 * its session (kept current by its own events), enough to rebuild the session if the Store lost it.
 */
export interface SocketData {
  userId: string;
  /** sha256 of the handshake token (never the token itself). */
  tokenDigest: string;
  /** The client address the connection is charged to (per-address budgets), from its handshake. */
  address: string;
  /**
   * Its session's client address is crowded (ADDRESS_CROWDED_SESSIONS, Session.crowded): it spends the
   * address's budgets. Read at the handshake, and set while connected when the address becomes crowded.
   */
  crowded?: boolean;
  resumed: boolean;
  lastMessageId?: number;
  lastRoom?: string;
  /** The page load this connection belongs to (HandshakeAuth.page, or the socket id without one). */
  page: string;
  /** Set when the connection has entered its session. */
  session?: { name: string; nameKey: string; room: string; roomSeq: number; status: PresenceStatus };
}

// ---- HTTP ----

export interface CreateSessionRequest {
  name: string;
  room: string;
}
export interface CreateSessionResponse {
  token: string;
  user: UserRef;
  room: string;
}
export interface RoomsResponse {
  rooms: RoomOccupancy[];
}
export interface HealthResponse {
  status: "ok" | "degraded";
  instanceId: string;
  store: "memory" | "redis";
  redis: "up" | "down" | "not_configured";
}
export interface HttpError {
  error: AppError;
}
