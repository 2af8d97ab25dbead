// A fuzzed user's browser tab: a real socket.io-client that follows its member list as the SPA does
// (snapshot plus versioned deltas, client/src/features/room/roomStore.ts), keeps its last message id for resuming,
// and records every private and call event it receives for the pair check.
import {
  applyDelta,
  fromSnapshot,
  supersedes,
  type MemberDelta,
  type MemberList,
} from "../../../../client/src/features/room/members.js";
import type { AppError, RoomState } from "@videochat/protocol";
import { openSocket, type ClientSocket } from "../clients.js";

export interface User {
  id: string;
  name: string;
  token: string;
  tabs: Tab[];
}

export interface Received {
  event: string;
  payload: any;
}

export class Tab {
  socket?: ClientSocket;
  /** The instance slot the socket went to (a restarted instance is a new socket's business). */
  slot?: object;
  /** What this connection shows as its room's member list; undefined until its first room state. */
  list?: MemberList;
  private lastMessageId?: number;
  private lastRoom?: string;
  /** The private chat this tab was last told it is in. */
  chatId?: string;
  /** Call ids this tab has heard of, newest last (emits pick among them). */
  readonly calls: string[] = [];
  /** Group call ids this tab has heard of, newest last, and who was in the last one it was told of. */
  readonly groupCalls: string[] = [];
  /** Room and private message ids this tab has seen, newest last (edits, deletes and reactions pick among them). */
  readonly messageIds: number[] = [];
  groupParticipants: string[] = [];
  /** This page load's id (HandshakeAuth.page): kept when the tab follows a dead instance, new on a reload. */
  private page?: string;
  private static pages = 0;
  readonly received: Received[] = [];
  private replaced?: () => void;
  /** Recent deltas, as the SPA keeps them: a room state is completed by deltas that overtook it. */
  private recent: MemberDelta[] = [];

  constructor(
    readonly index: number,
    readonly user: User,
  ) {}

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  get label(): string {
    return `tab${this.index}(${this.user.name})`;
  }

  /**
   * Opens a new connection (a reload: the old one closes) presenting the token and the last message
   * id, and resolves with how it went: "ready", "resumed", "ended: <code>", "refused: <code>", ...
   */
  connect(slot: object, url: string, timeoutMs: number, samePage = false): Promise<string> {
    this.replaced?.(); // a socket closed before it connected says nothing more
    this.socket?.disconnect();
    this.slot = slot;
    if (!samePage || !this.page) this.page = `page-${this.index}-${(Tab.pages += 1)}`;
    const socket = openSocket(
      url,
      {
        token: this.user.token,
        page: this.page,
        ...(this.lastMessageId !== undefined && { lastMessageId: this.lastMessageId }),
        ...(this.lastRoom !== undefined && { lastRoom: this.lastRoom }),
      },
      // The SPA's tab id: a new page in this tab is a reload of it, another tab is not.
      { tab: `fuzz-tab-${this.index}` },
    );
    this.socket = socket;
    this.list = undefined;
    this.recent = [];
    socket.onAny((event: string, payload: any) => {
      if (socket === this.socket) this.hear(event, payload);
    });
    return new Promise((resolve) => {
      const done = (outcome: string) => {
        clearTimeout(timer);
        if (this.replaced === replaced) this.replaced = undefined;
        resolve(outcome);
      };
      const replaced = () => done("replaced by a newer connection");
      this.replaced = replaced;
      const timer = setTimeout(() => done("no answer"), timeoutMs);
      socket.once("session:ready", (ready) => done(ready.resumed ? "resumed" : "ready"));
      socket.once("session:ended", (reason) => done(`ended: ${reason.code}`));
      socket.once("connect_error", (error: Error & { data?: AppError }) =>
        done(`refused: ${error.data?.code ?? error.message}`),
      );
      socket.once("disconnect", (reason) => done(`disconnected: ${reason}`));
    });
  }

  /** Keeps the last few message ids seen. */
  noteMessage(id: number): void {
    this.messageIds.push(id);
    if (this.messageIds.length > 20) this.messageIds.shift();
  }

  private hear(event: string, payload: any): void {
    switch (event) {
      case "room:state":
        return this.enter(payload as RoomState);
      case "room:message":
        this.noteMessage(payload.id);
        if (payload.room === this.lastRoom)
          this.lastMessageId = Math.max(this.lastMessageId ?? 0, payload.id);
        return;
      case "room:member-joined":
      case "room:member-left":
      case "room:member-updated":
        return this.receiveDelta({ kind: event.slice("room:member-".length), ...payload });
    }
    if (event.startsWith("group:")) return this.hearGroup(event, payload);
    if (
      event.startsWith("private:") ||
      event.startsWith("call:") ||
      event.startsWith("file:") ||
      event === "session:ended"
    )
      this.received.push({ event, payload });
    if (event === "private:opened") this.chatId = payload.chat.id;
    if (event === "private:message") this.noteMessage(payload.id);
    if (event === "private:closed" && payload.chatId === this.chatId) this.chatId = undefined;
    if (event === "call:incoming") this.calls.push(payload.call.id);
    if (event === "private:opened" && payload.call) this.calls.push(payload.call.id);
  }

  /** Group call events: the room-wide state feeds the ids to act on, the rest is checked for who got it. */
  private hearGroup(event: string, payload: any): void {
    if (event !== "group:state") this.received.push({ event, payload });
    const call = event === "group:state" || event === "group:invited" ? payload.call : undefined;
    if (call) this.tellGroupCall(call);
  }

  private tellGroupCall(call: { id: string; participants: { id: string }[] }): void {
    if (this.groupCalls.at(-1) !== call.id) this.groupCalls.push(call.id);
    this.groupParticipants = call.participants.map((p) => p.id);
  }

  private receiveDelta(delta: MemberDelta): void {
    this.recent = [...this.recent, delta].slice(-300);
    if (this.list) applyDelta(this.list, delta);
  }

  private enter(state: RoomState): void {
    if (!supersedes(this.list, state)) return; // overtaken by the state of a later move
    this.list = fromSnapshot(state);
    for (const delta of this.recent) if (delta.room === state.room) applyDelta(this.list, delta);
    const last = state.history.at(-1)?.id;
    if (state.room !== this.lastRoom) this.lastMessageId = last;
    else if (last !== undefined) this.lastMessageId = Math.max(this.lastMessageId ?? 0, last);
    this.lastRoom = state.room;
    if (state.groupCall) this.tellGroupCall(state.groupCall);
  }
}
