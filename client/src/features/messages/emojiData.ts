// The emoji picker's data (emoji-picker-element keeps it in IndexedDB, filled from a JSON file built into
// our assets): loaded ahead of the first "Add reaction", so the picker does not open on an empty grid
// while the file is fetched and stored.
import Database from "emoji-picker-element/database";
import enData from "emoji-picker-element-data/en/emojibase/data.json?url";
import esData from "emoji-picker-element-data/es/cldr/data.json?url";
import { i18n } from "../../i18n";

/** The data file and locale for the app's language (English or Spanish). */
export function emojiSource(): { dataSource: string; locale: "en" | "es" } {
  return i18n.global.locale.value === "es"
    ? { dataSource: esData, locale: "es" }
    : { dataSource: enData, locale: "en" };
}

let loading: { dataSource: string; ready: Promise<boolean> } | undefined;

/**
 * Starts filling the picker's database for the current language (once per language); resolves true
 * once the emoji are there, false when they could not be loaded (the picker then says so itself).
 */
export function preloadEmoji(): Promise<boolean> {
  const source = emojiSource();
  if (loading?.dataSource === source.dataSource) return loading.ready;
  let ready: Promise<boolean>;
  try {
    ready = new Database(source).ready().then(
      () => true,
      () => false,
    );
  } catch {
    ready = Promise.resolve(false); // no IndexedDB (a private window in some browsers)
  }
  loading = { dataSource: source.dataSource, ready };
  return ready;
}

/** preloadEmoji when the page has a moment to spare (the room screen has just been drawn). */
export function preloadEmojiWhenIdle(): void {
  const idle = globalThis.requestIdleCallback ?? ((run: () => void) => setTimeout(run, 1500));
  idle(() => void preloadEmoji());
}
