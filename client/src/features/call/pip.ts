// Picture-in-picture of one tile (the active speaker or the share): the call stays in view over other
// windows, and follows the stage (the stage hands it another tile when someone else speaks). Document
// Picture-in-Picture where the browser has it (a small window of our own, showing the same stream),
// else the <video> element's own picture-in-picture.

interface DocumentPipApi {
  requestWindow(options: { width: number; height: number }): Promise<Window>;
  window: Window | null;
}

const documentPip = (): DocumentPipApi | null =>
  (globalThis as { documentPictureInPicture?: DocumentPipApi }).documentPictureInPicture ?? null;

/** An open picture-in-picture window. */
export interface PictureInPicture {
  /** Shows `video`'s stream there instead, titled `label` (no gesture needed: the window is open). */
  show(video: HTMLVideoElement, label: string): Promise<void>;
  /** Closes the window; `closed` callbacks run. */
  close(): void;
  /** Runs `callback` once, when the window closes (by the user or by close()). */
  onClose(callback: () => void): void;
}

/** The window of Document Picture-in-Picture: a <video> of its own playing the tile's stream. */
async function openDocumentWindow(api: DocumentPipApi, video: HTMLVideoElement, label: string) {
  api.window?.close();
  const win = await api.requestWindow({ width: 480, height: 270 });
  const copy = win.document.createElement("video");
  copy.autoplay = copy.playsInline = copy.muted = true; // the tile on the page still plays the sound
  copy.style.cssText = "width:100%;height:100%;object-fit:contain;background:#000;display:block";
  win.document.body.style.cssText = "margin:0;background:#000;height:100vh";
  win.document.body.append(copy);
  const closed: (() => void)[] = [];
  const handle: PictureInPicture = {
    async show(next, nextLabel) {
      copy.srcObject = next.srcObject;
      copy.setAttribute("aria-label", nextLabel);
      win.document.title = nextLabel;
      await copy.play().catch(() => {});
    },
    close: () => win.close(),
    onClose: (callback) => void closed.push(callback),
  };
  win.addEventListener("pagehide", () => closed.splice(0).forEach((callback) => callback()), { once: true });
  await handle.show(video, label);
  return handle;
}

/** The element's own picture-in-picture; another tile's element takes the window over. */
async function openElementWindow(video: HTMLVideoElement) {
  let current = video;
  let switching = false;
  const closed: (() => void)[] = [];
  const onLeave = () => {
    if (!switching && !document.pictureInPictureElement) closed.splice(0).forEach((callback) => callback());
  };
  const watchLeave = (element: HTMLVideoElement) =>
    element.addEventListener("leavepictureinpicture", onLeave, { once: true });
  await video.requestPictureInPicture();
  watchLeave(video);
  const handle: PictureInPicture = {
    async show(next) {
      if (next === current) return;
      switching = true;
      try {
        await next.requestPictureInPicture();
        current = next;
        watchLeave(next);
      } catch {
        // the browser refused the switch: the window keeps the previous tile
      } finally {
        switching = false;
      }
    },
    close: () => void document.exitPictureInPicture().catch(() => {}),
    onClose: (callback) => void closed.push(callback),
  };
  return handle;
}

/**
 * Shows `video`'s stream picture-in-picture, titled `label`. Resolves with the open window, or null when
 * the browser refuses (no support, no user gesture); never throws.
 */
export async function openPictureInPicture(
  video: HTMLVideoElement,
  label: string,
): Promise<PictureInPicture | null> {
  const api = documentPip();
  try {
    if (api && video.srcObject instanceof MediaStream) return await openDocumentWindow(api, video, label);
    if (typeof video.requestPictureInPicture === "function") return await openElementWindow(video);
  } catch {
    // refused (no gesture, not allowed): the caller says so
  }
  return null;
}
