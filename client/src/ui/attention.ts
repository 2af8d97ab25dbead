// Getting the user's attention while the tab is in the background: a count in the title and, when
// allowed, a system notification. Browsers only let a page ask for that permission during a click.

let baseTitle: string | null = null;

/** "(2) Video Chat" while there is something unread, the plain title otherwise. */
export function showUnreadInTitle(count: number): void {
  baseTitle ??= document.title.replace(/^\(\d+\) /, "");
  document.title = count > 0 ? `(${count}) ${baseTitle}` : baseTitle;
}

function notificationsSupported(): boolean {
  return typeof Notification !== "undefined";
}

/** Call from a user gesture (a click); asks once, and never again after a yes or a no. */
export function askNotificationPermission(): void {
  if (!notificationsSupported() || Notification.permission !== "default") return;
  Notification.requestPermission().catch(() => {});
}

/** Shows a system notification if the user allowed it; clicking it brings the tab forward. */
export function notify(title: string, body: string, tag: string): void {
  if (!notificationsSupported() || Notification.permission !== "granted") return;
  try {
    const notification = new Notification(title, { body, tag });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
  } catch {
    // Chrome on Android only allows notifications from a service worker; the title still counts.
  }
}
