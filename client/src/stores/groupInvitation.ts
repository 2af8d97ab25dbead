// An invitation to the room's group call as the invitee sees it: a prompt naming the inviter that
// stays until it is answered, the call it is for ends, or it lapses.
import { ref } from "vue";
import type { GroupCall, UserRef } from "../../../server/src/protocol";
import { notify } from "../attention";

/** The invitee is never told when an invitation lapses; the prompt goes away by itself after this. */
export const INVITATION_TTL_MS = 30_000;

export interface Invitation {
  call: GroupCall;
  from: UserRef;
}

export function createInvitation() {
  const invitation = ref<Invitation | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;

  function show(next: Invitation): void {
    invitation.value = next;
    clearTimeout(timer);
    timer = setTimeout(dismiss, INVITATION_TTL_MS);
    if (document.hidden) notify(`${next.from.name} invites you to a call`, "Open the tab to join.", "call");
  }

  function dismiss(): void {
    clearTimeout(timer);
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
