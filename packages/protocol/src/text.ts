// What a person can see in a piece of text: one rule for display names and messages.
// Plain TypeScript without imports, so the SPA's pre-checks import the very same rule.

/**
 * Code points that show nothing by themselves and are not spaces: Unicode's
 * Default_Ignorable_Code_Point property (UAX #44; zero-width spaces and joiners, variation selectors,
 * U+034F, U+180B–U+180F, the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, tags …), plus the blank
 * glyphs Unicode has no property for: U+2800 BRAILLE PATTERN BLANK, U+16FE4 KHITAN SMALL SCRIPT
 * FILLER and U+1D159 MUSICAL SYMBOL NULL NOTEHEAD.
 */
// U+16FE4 is a combining mark: it leads each class so that it cannot read as joined to the one before.
const INVISIBLE = /[\u{16FE4}\p{Default_Ignorable_Code_Point}\u2800\u{1D159}]/gu;

/** Also nothing to see: spaces and line breaks (White_Space), control (Cc) and format (Cf) characters. */
const BLANK = /^[\u{16FE4}\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800\u{1D159}]*$/u;

/** A letter or decimal digit that is not default-ignorable (the Hangul fillers are letters). */
const VISIBLE_LETTER_OR_DIGIT = /(?!\p{Default_Ignorable_Code_Point})[\p{L}\p{Nd}]/u;

/** `text` without its invisible code points (see INVISIBLE); spaces are kept. */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, "");
}

/** True when `text` would render as nothing: only spaces, controls and invisible code points. */
export function rendersAsNothing(text: string): boolean {
  return BLANK.test(text);
}

/** True when `text` shows at least one letter or digit (combining marks alone do not count). */
export function hasVisibleLetterOrDigit(text: string): boolean {
  return VISIBLE_LETTER_OR_DIGIT.test(text);
}

/**
 * One spelling per emoji: a VARIATION SELECTOR-16 after a character that shows as an emoji anyway
 * (Emoji_Presentation, e.g. 👍) is dropped, so "👍" and "👍\uFE0F" are one reaction, not two. Where it
 * matters (❤️ is text by default) it stays.
 */
export function canonicalEmoji(emoji: string): string {
  return emoji.replace(/(\p{Emoji_Presentation})\uFE0F/gu, "$1");
}

/**
 * True when `text` holds no lone UTF-16 surrogate (half of a pair, as a JSON "\\ud800" escape can
 * carry): such a string has no UTF-8 form, and Redis's Lua JSON decoder refuses it.
 */
export function isWellFormed(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

/** A reply's quote keeps at most this many UTF-8 bytes of the quoted message's first line. */
export const QUOTE_BYTES = 200;

/**
 * What a reply quotes of `text`: its first line, cut to QUOTE_BYTES on a UTF-8 boundary. The one rule
 * for the memory Store, the SPA's live requote, and first_line in the Redis Store's Lua (its twin).
 */
export function quoteLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  let bytes = 0;
  let end = 0;
  for (const char of line) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes > QUOTE_BYTES) return line.slice(0, end);
    end += char.length;
  }
  return line;
}
