// Our side of "is typing…": a typing:true at most every few seconds while keys are pressed, and a
// typing:false on send, blur, or when the keys have been still for a moment.

/** The partner's indicator expires after 5 s, so a refresh every 2 s keeps it steady. */
export const TYPING_REFRESH_MS = 2000;
export const TYPING_IDLE_MS = 3000;

export interface TypingSignal {
  /** A key was pressed in the composer. */
  note(): void;
  /** The user sent, left the box, or emptied it. */
  stop(): void;
  /** Forgets the state without telling anyone (the chat is gone). */
  reset(): void;
}

export function createTypingSignal(send: (typing: boolean) => void): TypingSignal {
  let typing = false;
  let lastSentAt = 0;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;

  function stop(): void {
    clearTimeout(idleTimer);
    if (!typing) return;
    typing = false;
    send(false);
  }

  function note(): void {
    const now = Date.now();
    if (!typing || now - lastSentAt >= TYPING_REFRESH_MS) {
      typing = true;
      lastSentAt = now;
      send(true);
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(stop, TYPING_IDLE_MS);
  }

  function reset(): void {
    clearTimeout(idleTimer);
    typing = false;
  }

  return { note, stop, reset };
}
