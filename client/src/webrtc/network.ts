// Tells a call when the device's network may have changed, so it can restart ICE at once instead of
// waiting for the old path to time out.

type NetworkInformation = EventTarget & { type?: string; effectiveType?: string };

const networkInformation = (): NetworkInformation | undefined =>
  (globalThis.navigator as { connection?: NetworkInformation } | undefined)?.connection;

const networkKind = (): string => `${networkInformation()?.type}/${networkInformation()?.effectiveType}`;

/**
 * Calls `changed(certain)` on "online" and on a new kind of network (wifi -> cellular). Chrome also
 * fires "change" for small rtt/bandwidth updates; those are passed on as uncertain. Returns a stop function.
 */
export function watchNetwork(changed: (certain: boolean) => void): () => void {
  let lastKind = networkKind();
  const onOnline = () => changed(true);
  const onConnectionChange = () => {
    const kind = networkKind();
    const certain = kind !== lastKind;
    lastKind = kind;
    changed(certain);
  };
  globalThis.addEventListener?.("online", onOnline);
  networkInformation()?.addEventListener("change", onConnectionChange);
  return () => {
    globalThis.removeEventListener?.("online", onOnline);
    networkInformation()?.removeEventListener("change", onConnectionChange);
  };
}
