// When the call stage shows and what it says, for both kinds of call: the room screen lays itself out
// around it, and the stage names its own leave button and waiting line from it.
import { computed } from "vue";
import { useCallStore } from "./callStore";
import { useCallMediaStore } from "./callMediaStore";
import { useGroupCallStore } from "../group-call/groupCallStore";
import { usePrivateChatStore } from "../private/privateChatStore";
import { t } from "../../i18n";

export function useCallStage() {
  const call = useCallStore();
  const group = useGroupCallStore();
  const media = useCallMediaStore();
  const privateChat = usePrivateChatStore();

  /** A 1:1 call shows from the moment it rings out, so its Hang up stays the same button into the call. */
  const shown = computed(() => media.active || group.inCall || (call.live && call.status !== "ringing-in"));
  const leaveLabel = computed(() => (group.inCall ? t("call.leaveCall") : t("call.hangUp")));
  /** What the stage says while nobody else is on it. */
  const waiting = computed(() => {
    if (group.inCall) return t("call.waitingForOthers");
    const name = privateChat.chat?.with.name ?? t("call.yourPartnerLower");
    return call.status === "ringing-out" ? t("call.calling", { name }) : t("call.connectingTo", { name });
  });

  function leave(): void {
    if (group.inCall) group.leave();
    else call.hangUp();
  }

  return { shown, leaveLabel, waiting, leave };
}
