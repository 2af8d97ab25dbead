// What this tab remembers across reloads. sessionStorage is per tab, so two tabs are two people.
import type { UserRef } from "@videochat/protocol";

const TAB_KEY = "videochat.tab";
const SESSION_KEY = "videochat.session";
const LAST_IDENTITY_KEY = "videochat.lastIdentity";
/** Read by public/reloading.js, before the app loads: keep these names in step with it. */
const CALL_PLACE_KEY = "videochat.callPlace";

export interface SavedSession {
  token: string;
  user: UserRef;
  room: string;
}

function storage(): Storage | null {
  // Private modes and sandboxed frames may refuse storage; the app then lives for one page load.
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * 128 random bits as 32 hex digits. Not crypto.randomUUID(): it exists only in secure contexts, and
 * on a plain-HTTP LAN address (`npm start` opened from a phone) calling it would stop the app loading.
 */
function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A random id per tab, sent in the socket query so nginx keeps this tab on one instance. */
export function tabId(): string {
  const store = storage();
  const existing = store?.getItem(TAB_KEY);
  if (existing) return existing;
  const id = randomId();
  store?.setItem(TAB_KEY, id);
  return id;
}

/**
 * This page load's id (HandshakeAuth.page): the same on every reconnect, new after a reload, unlike the
 * tab id. The server keeps a call's place for the page that joined it: a reloaded page has no media.
 */
export const pageId = randomId();

export function loadSession(): SavedSession | null {
  const raw = storage()?.getItem(SESSION_KEY);
  if (!raw) return null;
  try {
    const saved = JSON.parse(raw) as Partial<SavedSession>;
    if (typeof saved.token !== "string" || typeof saved.room !== "string" || !saved.user) return null;
    return saved as SavedSession;
  } catch {
    return null;
  }
}

export function saveSession(session: SavedSession): void {
  storage()?.setItem(SESSION_KEY, JSON.stringify(session));
}

export function forgetSession(): void {
  storage()?.removeItem(SESSION_KEY);
}

/**
 * Whether this tab's page holds a place in a call (`kind`), so that a reload of the tab asks the server
 * to keep it from the first moment (public/reloading.js). A page that loads keeps the mark until its
 * own call state says otherwise: a reload that resumes the call marks it again.
 */
export function markCallPlace(kind: "private" | "group", held: boolean): void {
  const store = storage();
  if (held) store?.setItem(CALL_PLACE_KEY, kind);
  else if (store?.getItem(CALL_PLACE_KEY) === kind) store.removeItem(CALL_PLACE_KEY);
}

/** The name and room this tab last joined with: the join form starts from them after a session ends. */
export interface LastIdentity {
  name: string;
  room: string;
}

export function saveLastIdentity(identity: LastIdentity): void {
  storage()?.setItem(LAST_IDENTITY_KEY, JSON.stringify(identity));
}

export function loadLastIdentity(): LastIdentity | null {
  try {
    const saved = JSON.parse(storage()?.getItem(LAST_IDENTITY_KEY) ?? "null") as Partial<LastIdentity> | null;
    return typeof saved?.name === "string" && typeof saved.room === "string"
      ? { name: saved.name, room: saved.room }
      : null;
  } catch {
    return null;
  }
}
