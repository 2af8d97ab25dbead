// The private chat as plain values: messages merged by id, and how a closed chat is worded.
import type { PrivateClosed, PrivateMessage } from "@videochat/protocol";
import { t } from "../../i18n";
import { requote } from "../messages/messageActions";

/** Bounds memory in a long chat; older messages scroll away. */
export const PRIVATE_MESSAGE_LIMIT = 500;

/** Messages in id order without duplicates: acks, live events and resumes may all carry the same one. */
export function mergePrivateMessages(
  messages: readonly PrivateMessage[],
  more: readonly PrivateMessage[],
): PrivateMessage[] {
  const byId = new Map(messages.map((m) => [m.id, m]));
  for (const message of more) if (!byId.has(message.id)) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => a.id - b.id).slice(-PRIVATE_MESSAGE_LIMIT);
}

/** `messages` with `message` in place of the kept one of its id (an edit, a delete, a reaction). */
export function replacePrivateMessage(
  messages: readonly PrivateMessage[],
  message: PrivateMessage,
): PrivateMessage[] {
  return messages.map((kept) => (kept.id === message.id ? message : requote(kept, message)));
}

/** What the partner of whoever ended the chat reads. */
export function closedNotice({ by, reason }: PrivateClosed): string {
  switch (reason) {
    case "closed":
      return t("private.closedBy", { name: by.name });
    case "left_room":
      return t("private.leftRoom", { name: by.name });
    case "left":
      return t("private.hasLeft", { name: by.name });
    case "timeout":
      return t("private.disconnected", { name: by.name });
  }
}
