// Where keyboard focus goes next when the element that held it goes away (a dialog answered, a call
// ended, a chat closed): screen reader and keyboard users otherwise land on the page body.
import { nextTick } from "vue";

/** The room's message box: where a user goes after joining, and the fallback for everything else. */
export const ROOM_MESSAGE_ID = "composer-message";
export const PRIVATE_MESSAGE_ID = "private-message";
export const HANG_UP_ID = "call-hang-up";
/** The one "Call settings" button on screen (the top bar's before a call, the stage's during one). */
export const CALL_SETTINGS_ID = "call-settings";
/** The stage's "Chat" toggle, and the phone's chat sheet's "Back to call" that closes the sheet over it. */
export const CHAT_TOGGLE_ID = "call-chat-toggle";
export const SHEET_BACK_ID = "call-sheet-back";

function tryFocus(el: Element | null): boolean {
  if (!(el instanceof HTMLElement) || el.matches(":disabled")) return false;
  el.focus();
  return document.activeElement === el;
}

/** After the next render, focuses the first of the elements (by id) that can take focus. */
export async function focusFirst(...ids: string[]): Promise<void> {
  await nextTick();
  for (const id of ids) if (tryFocus(document.getElementById(id))) return;
}

/** Whether focus has been lost (it sits on the body), so moving it steals nothing from the user. */
export function focusLost(): boolean {
  return document.activeElement === null || document.activeElement === document.body;
}

/** Back to the member list's "Private chat with …" button of `memberId`, else the room's message box. */
export async function focusMemberChat(memberId: string): Promise<void> {
  await nextTick();
  const buttons = [...document.querySelectorAll<HTMLElement>("[data-member-chat]")];
  const button = buttons.find((el) => el.dataset.memberChat === memberId) ?? null;
  if (!tryFocus(button)) await focusFirst(ROOM_MESSAGE_ID);
}
