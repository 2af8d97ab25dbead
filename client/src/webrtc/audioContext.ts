// The page's one AudioContext, shared by the call's level meters and the app's sounds. Browsers start
// an AudioContext only after a user gesture, so the context is created on the first click or key press
// and stays silent until then.

type ContextFactory = () => AudioContext;

let context: AudioContext | null = null;
// Throws where there is no Web Audio (old browsers, test DOMs): the app then stays silent.
let createContext: ContextFactory = () => new AudioContext();

/** For unit tests: where AudioContexts come from. */
export function setAudioContextFactory(factory: ContextFactory): void {
  createContext = factory;
  context = null;
}

/** The page's one AudioContext (also the call's level meters'), or null where the browser has none. */
export function audio(): AudioContext | null {
  try {
    context ??= createContext();
  } catch {
    return null;
  }
  return context;
}

/** Call from a user gesture: browsers only let a page start (or resume) audio then. */
export function unlockAudio(): void {
  const ctx = audio();
  if (ctx?.state === "suspended") void ctx.resume().catch(() => {});
}
