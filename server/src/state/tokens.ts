// Session identifiers and tokens. Only a digest of each token is stored, so a Store dump grants nobody a session.
import { createHash, randomBytes, randomUUID } from "node:crypto";

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function newSessionId(): string {
  return randomUUID();
}

export function tokenDigest(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}
