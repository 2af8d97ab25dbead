// The Redis side of message changes: the script arguments a MessageChange becomes, and the reply read back.
import { MAX_REACTION_USERS } from "@videochat/protocol/schemas";
import type { ChangeRefusal, ChangeResult, MessageChange } from "./message-change.js";

/**
 * ARGV after the user id of a change script: message id, kind, arg, extra, want, most reactor entries
 * (see change_message in Lua; want is '1' / '0' for a reaction set on / off, '' to toggle).
 */
export function changeArgs(id: number, change: MessageChange): (string | number)[] {
  switch (change.kind) {
    case "edit":
      return [id, "edit", change.text, change.at, "", ""];
    case "delete":
      return [id, "delete", "", "", "", ""];
    case "react":
      return [
        id,
        "react",
        change.emoji,
        change.max,
        change.on === undefined ? "" : change.on ? "1" : "0",
        change.maxUsers ?? MAX_REACTION_USERS,
      ];
  }
}

/** A change script's reply: the stored JSON, or {code}. */
export function changeReply<M, Extra extends string>(reply: unknown): ChangeResult<M, Extra> {
  if (typeof reply === "string") return { ok: true, message: JSON.parse(reply) as M };
  const [code] = reply as [ChangeRefusal | Extra];
  return { ok: false, code };
}
