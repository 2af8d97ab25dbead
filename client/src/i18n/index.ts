// The one vue-i18n instance of the SPA (composition mode). Components, stores and plain helpers all word
// their texts through `t` below, so a store's notice follows the language like a template's label does.
import { createI18n } from "vue-i18n";
import en from "./en";
import es from "./es";

/** The languages the SPA speaks; English is the fallback for anything else. */
export const LOCALES = ["en", "es"] as const;
export type Locale = (typeof LOCALES)[number];

/** The first of the browser's preferred languages (`navigator.languages`) that we speak, else English. */
export function pickLocale(preferred: readonly string[] = globalThis.navigator?.languages ?? []): Locale {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0];
    const match = LOCALES.find((locale) => locale === base);
    if (match) return match;
  }
  return "en";
}

export const i18n = createI18n({
  legacy: false,
  locale: pickLocale(),
  fallbackLocale: "en",
  messages: { en, es },
  // Texts hold no HTML; Vue escapes interpolations itself.
  warnHtmlMessage: false,
});

/** Translates a key of `en.ts` (with named values, or a count for plural texts "one | many"). */
export const t = i18n.global.t;

/** Switches the language at run time (tests; a future language picker). */
export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  document.documentElement.lang = locale;
}
