// The contract between server and SPA: every event, its payload and its acknowledgement.
// Types only: the client imports this file with `import type`, so nothing here may exist at runtime.

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
  | "flooding" // this connection kept sending past its limits and was closed; reconnect after retryAfterMs
  | "unavailable" // not confirmed: Redis is failing over; send the same event again after retryAfterMs
  | "internal"; // a bug on our side; details are in the server log, not here

export interface AppError {
  code: ErrorCode;
  message: string;
  /**
   * With `rate_limited`, `flooding` and `unavailable`: milliseconds until a retry can succeed (HTTP also sends
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

export interface ChatMessage {
  /** Increasing per room; a resuming client asks for what follows the last id it saw. */
  id: number;
  room: string;
  from: UserRef;
  text: string;
  /** Server time, epoch milliseconds. */
  at: number;
  /** The sender's id for this message (see `room:message`): a re-send after `unavailable` finds it. */
  nonce?: string;
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
  settings: { idleTimeoutMs: number; sessionGraceMs: number; messageMaxLength: number };
}

// ---- Private chat and calls ----

export interface PrivateChat {
  id: string;
  with: UserRef;
}

export interface PrivateMessage {
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
}

export type CallEndReason = "hangup" | "declined" | "missed" | "chat_closed" | "failed";

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
    payload: { text: string; nonce?: string; retry?: boolean },
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
  "private:message": (payload: { text: string }, ack: AckCallback<{ message: PrivateMessage }>) => void;
  "private:typing": (payload: { typing: boolean }, ack: AckCallback) => void;
  "private:close": (payload: Record<string, never>, ack: AckCallback) => void;

  /** Rings the partner of the sender's private chat. */
  "call:invite": (payload: Record<string, never>, ack: AckCallback<{ call: CallInfo }>) => void;
  "call:answer": (payload: { callId: string; accept: boolean }, ack: AckCallback) => void;
  /** Relayed only to the partner of the sender's private chat, for the current call. */
  "call:signal": (payload: CallSignal, ack: AckCallback) => void;
  "call:end": (payload: { callId: string }, ack: AckCallback) => void;
  /**
   * Fresh ICE servers (TURN credentials expire), asked before each call and each ICE restart, and
   * the operator's ICE transport policy for the peer connections ("relay" hides peers' addresses).
   */
  "call:ice-servers": (
    payload: Record<string, never>,
    ack: AckCallback<{ iceServers: IceServer[]; iceTransportPolicy: IceTransportPolicy }>,
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
  /** To every tab of a session when one of them picks a status by hand. */
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
  "call:ended": (payload: { callId: string; reason: CallEndReason }) => void;
  /** Someone in the recipient's current call (1:1 or group) changed their media. */
  "call:media": (payload: MediaState & { callId: string; user: UserRef }) => void;

  /** To the room on every change of its group call; `call` is null once the last participant left. */
  /**
   * The room's group call changed. With `call: null`, `endedCallId` names the call that ended, so a
   * tab can tell a late "ended" of an older call (relayed through another instance) from the end of
   * the call it shows.
   */
  "group:state": (payload: { room: string; call: GroupCall | null; endedCallId?: string }) => void;
  /** To the invitee (every tab): an incoming-call prompt naming the inviter. */
  "group:invited": (payload: { call: GroupCall; from: UserRef }) => void;
  /** To the inviter: the invitation was declined, or expired unanswered. */
  "group:declined": (payload: { callId: string; by: UserRef; reason: "declined" | "missed" }) => void;
  "group:signal": (payload: GroupSignal) => void;
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
  /** Counts an instance read for the rooms it changed: every instance passes them to its watchers. */
  "rooms:occupancy": (payload: { rooms: RoomOccupancy[] }) => void;
}

/**
 * What a socket carries: its identity, set once by the handshake middleware, and what it knows of
 * its session (kept current by its own events), enough to rebuild the session if the Store lost it.
 */
export interface SocketData {
  userId: string;
  /** sha256 of the handshake token (never the token itself). */
  tokenDigest: string;
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
