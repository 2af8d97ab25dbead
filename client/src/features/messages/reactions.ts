// How reactions read: the chip's accessible name and tooltip, "👍 2: Ana, Ben".
import type { Reaction } from "@videochat/protocol";
import { t } from "../../i18n";

/** "<emoji> <count>: <names>", names in the order they reacted. */
export function reactionLabel(reaction: Reaction): string {
  return t("message.reaction", {
    emoji: reaction.emoji,
    count: reaction.users.length,
    names: reaction.users.map((user) => user.name).join(", "),
  });
}

/** Whether `userId` is among those who reacted with this emoji (the chip shows pressed). */
export const reactedBy = (reaction: Reaction, userId: string | null) =>
  reaction.users.some((user) => user.id === userId);
