// Asks before a step that would end the user's call as a side effect (moving to another room, closing
// the private chat the call is in, leaving the app), as Meet and Discord do: the user either leaves the
// call and goes on, or stays. Hanging up itself never asks. Each component that offers such a step owns
// one of these and shows its question with ConfirmDialog.
import { shallowRef, watch } from "vue";
import { useCallStage } from "./callStage";
import { useGroupCallStore } from "../group-call/groupCallStore";
import { usePrivateChatStore } from "../private/privateChatStore";
import { t } from "../../i18n";
import type { ConfirmQuestion } from "../../ui/confirm";

/** What the user is about to do that would take them out of the call. */
export type CallEndingStep =
  { kind: "switch-room"; room: string } | { kind: "close-chat" } | { kind: "sign-out" };

/** The dialog's words (ConfirmDialog's): cancel stays in the call, confirm leaves it and goes on. */
export type LeaveCallQuestion = ConfirmQuestion;

/** One "leave the call?" question at a time, for the component that calls it. */
export function useLeaveCallConfirm() {
  const stage = useCallStage();
  const group = useGroupCallStore();
  const privateChat = usePrivateChatStore();
  const question = shallowRef<LeaveCallQuestion | null>(null);
  let settle: ((leave: boolean) => void) | null = null;

  function words(step: CallEndingStep): LeaveCallQuestion {
    const name = privateChat.chat?.with.name ?? t("call.yourPartnerLower");
    const title = group.inCall
      ? t("call.confirmLeave.titleGroup")
      : t("call.confirmLeave.titlePrivate", { name });
    const cancel = t("call.confirmLeave.stay");
    switch (step.kind) {
      case "switch-room":
        return {
          title,
          cancel,
          text: t("call.confirmLeave.switchRoom", { room: step.room }),
          confirm: t("call.confirmLeave.switchAction"),
        };
      case "close-chat":
        return {
          title,
          cancel,
          text: t("call.confirmLeave.closeChat", { name }),
          confirm: t("call.confirmLeave.closeAction"),
        };
      case "sign-out":
        return {
          title,
          cancel,
          text: t("call.confirmLeave.signOut"),
          confirm: t("call.confirmLeave.signOutAction"),
        };
    }
  }

  /** Resolves true at once without a call on the stage; otherwise asks, and resolves with the answer. */
  function confirmLeave(step: CallEndingStep): Promise<boolean> {
    if (!stage.shown.value) return Promise.resolve(true);
    settle?.(false); // a newer question replaces an unanswered one: the older step does not happen
    question.value = words(step);
    return new Promise((resolve) => (settle = resolve));
  }

  /** The user's answer: true leaves the call and goes on with the step. */
  function answer(leave: boolean): void {
    const done = settle;
    settle = null;
    question.value = null;
    done?.(leave);
  }

  // The call ended while the question was open (hung up from the other side): nothing left to lose.
  watch(stage.shown, (shown) => {
    if (!shown && question.value) answer(true);
  });

  return { question, confirmLeave, answer };
}
