// People and the session:ready payload the client unit tests share.
import type { Member, SessionReady } from "@videochat/protocol";

export const alice: Member = { id: "u-alice", name: "Alice", status: "online", busy: false };
export const bob: Member = { id: "u-bob", name: "Bob", status: "online", busy: false };
export const carol: Member = { id: "u-carol", name: "Carol", status: "online", busy: false };

/** Alice's session:ready in LOBBY, with settings a test may override. */
export function readyAsAlice(settings: Partial<SessionReady["settings"]> = {}): SessionReady {
  return {
    user: { id: alice.id, name: alice.name },
    room: "LOBBY",
    status: "online",
    resumed: false,
    instanceId: "i-1",
    settings: { idleTimeoutMs: 60_000, sessionGraceMs: 10_000, messageMaxLength: 500, ...settings },
  };
}
