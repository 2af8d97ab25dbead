// Transient notices ("Link copied", "Ben raised a hand") as toasts: one <Toaster> in App.vue shows them.
// Notices that are history (a call started, a message deleted) stay lines in the feeds.
import { toast as sonner } from "vue-sonner";

/** Shows a short notice; `kind` picks the icon and colour. Returns the toast's id (to dismiss it). */
export function toast(message: string, kind: "info" | "success" | "error" = "info"): string | number {
  return kind === "info" ? sonner(message) : sonner[kind](message);
}

/** Removes a toast shown by `toast`, or all of them. */
export function dismissToast(id?: string | number): void {
  sonner.dismiss(id);
}
