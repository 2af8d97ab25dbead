// What the session tells the stores that hang off it. They import the session store and subscribe;
// the session imports none of them, so the stores form a tree with the session at its root.
import { getCurrentScope, onScopeDispose } from "vue";
import type { HandshakeAuth } from "@videochat/protocol";

/** The session's events and their arguments. */
export interface SessionEvents {
  /** The session ended, or a new one replaced it: drop everything that belonged to the old one. */
  reset: [];
}

/** What a store adds to the handshake of every (re)connection, e.g. the room chat's resume point. */
export type ResumePoint = Omit<Partial<HandshakeAuth>, "token">;

type Listener<E extends keyof SessionEvents> = (...args: SessionEvents[E]) => void;

/** One session's listeners; a listener added inside a store's setup goes when that store's scope ends. */
export function createSessionEvents() {
  const listeners: { [E in keyof SessionEvents]: Set<Listener<E>> } = { reset: new Set() };
  let resumePoints: (() => ResumePoint)[] = [];

  return {
    on<E extends keyof SessionEvents>(event: E, listener: Listener<E>): void {
      listeners[event].add(listener);
      if (getCurrentScope()) onScopeDispose(() => listeners[event].delete(listener));
    },
    emit<E extends keyof SessionEvents>(event: E, ...args: SessionEvents[E]): void {
      for (const listener of [...listeners[event]]) listener(...args);
    },
    /** Adds `provider`'s fields to every handshake from now on. */
    resumeFrom(provider: () => ResumePoint): void {
      resumePoints.push(provider);
      if (getCurrentScope())
        onScopeDispose(() => (resumePoints = resumePoints.filter((p) => p !== provider)));
    },
    resumePoint(): ResumePoint {
      return Object.assign({}, ...resumePoints.map((provider) => provider()));
    },
  };
}
