// How a call reads on screen: its duration, and why it ended.
import type { CallEndReason } from "@videochat/protocol";
import { t } from "../../i18n";

/** mm:ss, with minutes going past 59 rather than adding hours: calls here are short. */
export function callDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(seconds / 60))}:${pad(seconds % 60)}`;
}

/** Who this tab was in the call when it ended; "ringing" is a callee who had not answered yet. */
export type CallRole = "caller" | "callee" | "ringing";

export function endedNotice(reason: CallEndReason, role: CallRole, partner: string): string {
  switch (reason) {
    case "missed":
      return t("call.missed");
    case "declined":
      return role === "caller" ? t("call.partnerDeclined", { name: partner }) : t("call.declined");
    case "failed":
      return t("call.failed");
    case "hangup":
      // The caller gave up before we answered: to us that is a missed call.
      return role === "ringing" ? t("call.missed") : t("call.ended");
    case "chat_closed":
      return t("call.ended");
  }
}
