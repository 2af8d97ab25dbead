// Asks before a step that would end the user's call as a side effect (moving to another room, closing
// the private chat the call is in, leaving the app), as Meet and Discord do: the user either leaves the
// call and goes on, or stays. Hanging up itself never asks. Each component that offers such a step owns
// one of these and shows its question with ConfirmDialog. A room switch without a call but with a private
// chat open asks too: the chat belongs to the room and closes with the move.
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
  let pending: CallEndingStep | null = null; // the step the open question is about

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

  /** A room switch's question when only a private chat (still open on both sides) would be lost. */
  function chatWords(step: CallEndingStep): LeaveCallQuestion | null {
    const open = privateChat.chat && !privateChat.closed ? privateChat.chat : null;
    if (step.kind !== "switch-room" || !open) return null;
    const name = open.with.name;
    return {
      title: t("call.confirmLeave.titleChat", { name }),
      text: t("call.confirmLeave.switchRoomChat", { room: step.room, name }),
      cancel: t("call.confirmLeave.stayChat"),
      confirm: t("call.confirmLeave.switchActionChat"),
    };
  }

  /**
   * Resolves true at once when the step loses nothing (no call on the stage, and no open private chat
   * for a room switch); otherwise asks, and resolves with the answer.
   */
  function confirmLeave(step: CallEndingStep): Promise<boolean> {
    const asked = stage.shown.value ? words(step) : chatWords(step);
    if (!asked) return Promise.resolve(true);
    settle?.(false); // a newer question replaces an unanswered one: the older step does not happen
    question.value = asked;
    pending = step;
    return new Promise((resolve) => (settle = resolve));
  }

  /** The user's answer: true leaves the call and goes on with the step. */
  function answer(leave: boolean): void {
    const done = settle;
    settle = null;
    pending = null;
    question.value = null;
    done?.(leave);
  }

  // The call ended while the question was open (hung up from the other side): nothing left to lose,
  // unless the step would still close an open private chat, which is then what the question asks.
  watch(stage.shown, (shown) => {
    if (shown || !question.value || !pending) return;
    const chatQuestion = chatWords(pending);
    if (chatQuestion) question.value = chatQuestion;
    else answer(true);
  });

  return { question, confirmLeave, answer };
}
