// How a call reads on screen: its state in people's words ("Ringing Ben…", "Connected"), its duration,
// and why it ended.
import type { CallEndReason } from "@videochat/protocol";
import { t } from "../../i18n";

/** mm:ss, with minutes going past 59 rather than adding hours: calls here are short. */
export function callDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(seconds / 60))}:${pad(seconds % 60)}`;
}

/** The 1:1 call's states (callStore's CallStatus), as this file words them. */
type Status = "idle" | "ringing-out" | "ringing-in" | "connecting" | "connected" | "reconnecting" | "ended";

/** The call's state with the partner's name: "Ringing Ben…", "Connected", "Call ended"; "" when idle. */
export function callStatusText(status: Status, partner: string): string {
  switch (status) {
    case "idle":
      return "";
    case "ringing-out":
      return t("call.phase.ringingOut", { name: partner });
    case "ringing-in":
      return t("call.phase.ringingIn", { name: partner });
    case "connecting":
      return t("call.phase.connecting", { name: partner });
    default:
      return t(`call.phase.${status}`);
  }
}

/** Who this tab was in the call when it ended; "ringing" is a callee who had not answered yet. */
export type CallRole = "caller" | "callee" | "ringing";

export function endedNotice(reason: CallEndReason, role: CallRole, partner: string): string {
  switch (reason) {
    case "missed":
      return role === "caller" ? t("call.noAnswer", { name: partner }) : t("call.missed");
    case "declined":
      return role === "caller" ? t("call.partnerDeclined", { name: partner }) : t("call.declined");
    case "failed":
      return t("call.failed");
    case "hangup":
      // The caller gave up before we answered: to us that is a missed call.
      return role === "ringing" ? t("call.missed") : t("call.partnerLeft", { name: partner });
    case "chat_closed":
      return t("call.ended");
    case "left":
      return t("call.partnerLeft", { name: partner });
    case "lost":
      return t("call.partnerLost", { name: partner });
  }
}
