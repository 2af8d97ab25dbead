// An invitation to the room's group call as the invitee sees it: a prompt naming the inviter that
// stays until it is answered (here or in another tab), rings out, or the call it is for ends.
import { ref } from "vue";
import type { GroupCall, UserRef } from "@videochat/protocol";
import { notify } from "../../ui/attention";
import { t } from "../../i18n";

export interface Invitation {
  call: GroupCall;
  from: UserRef;
}

export function createInvitation() {
  const invitation = ref<Invitation | null>(null);
  function show(next: Invitation): void {
    invitation.value = next;
    if (document.hidden)
      notify(t("group.notifyTitle", { name: next.from.name }), t("group.openToJoin"), "call");
  }

  function dismiss(): void {
    invitation.value = null;
  }

  /** Answering: the prompt goes, and the call it was for is returned. */
  function take(): string | undefined {
    const callId = invitation.value?.call.id;
    dismiss();
    return callId;
  }

  return { invitation, show, dismiss, take };
}
