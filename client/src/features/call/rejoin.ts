// A page that came back into a call by itself (a reload) may need one gesture from the person: until
// they interact with the page, the browser may refuse to play the others' voices (autoplay policy) or
// to open the camera and microphone (getUserMedia). One "Rejoin call" button then stands for that
// gesture: pressing it plays what was refused and opens the devices again.
import { readonly, ref } from "vue";

/** Whether the page has had no user gesture yet (navigator.userActivation; unknown: assume it had one). */
export function lacksGesture(): boolean {
  const activation = (navigator as Navigator & { userActivation?: { hasBeenActive: boolean } })
    .userActivation;
  return activation ? !activation.hasBeenActive : false;
}

export interface RejoinHooks {
  /** Opens the camera and microphone again (in the gesture) and puts them on every connection. */
  reopenDevices: () => Promise<void>;
}

export function createRejoin(hooks: RejoinHooks) {
  const needed = ref(false);
  /** Media elements whose play() the browser refused; not reactive (DOM nodes). */
  const refused = new Set<HTMLMediaElement>();
  let devicesRefused = false;

  /** A tile's play() was refused (autoplay policy): the button appears. Other failures are ignored. */
  function playRefused(element: HTMLMediaElement, error?: unknown): void {
    if ((error as { name?: string } | undefined)?.name !== "NotAllowedError") return;
    refused.add(element);
    needed.value = true;
  }

  /** The devices could not be opened without a gesture, on a page that resumed its call by itself. */
  function devicesNeedGesture(): void {
    devicesRefused = true;
    needed.value = true;
  }

  /** "Rejoin call": runs inside the click, so the browser counts it as the gesture. */
  async function rejoin(): Promise<void> {
    needed.value = false;
    const elements = [...refused];
    refused.clear();
    for (const element of elements) element.play().catch((error: unknown) => playRefused(element, error));
    if (devicesRefused) {
      devicesRefused = false;
      await hooks.reopenDevices();
    }
  }

  function reset(): void {
    needed.value = false;
    refused.clear();
    devicesRefused = false;
  }

  return { needed: readonly(needed), playRefused, devicesNeedGesture, rejoin, reset };
}
