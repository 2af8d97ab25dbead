// Getting the user's attention while the tab is in the background: a count in the title and, when
// allowed, a system notification. Browsers only let a page ask for that permission during a click.

let baseTitle: string | null = null;
/** What each source (the private chat, the rooms) has unread; the title shows their sum. */
const counts = new Map<string, number>();

/** "(2) Video Chat" while `source` (with the others) has something unread, the plain title otherwise. */
export function showCountInTitle(source: string, count: number): void {
  counts.set(source, count);
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  baseTitle ??= document.title.replace(/^\(\d+\) /, "");
  document.title = total > 0 ? `(${total}) ${baseTitle}` : baseTitle;
}

/** The private chat's unread count in the title (see showCountInTitle). */
export function showUnreadInTitle(count: number): void {
  showCountInTitle("private", count);
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
