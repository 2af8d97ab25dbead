// What an initials avatar shows: one or two letters of a name and a colour derived from the name,
// dark enough that white initials meet WCAG 2.x AA contrast (4.5:1) on it.

/** WCAG 2.x AA for normal-size text (success criterion 1.4.3). */
export const AVATAR_MIN_CONTRAST = 4.5;

const segmenter =
  typeof Intl.Segmenter === "function" ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

/** The first user-perceived character (grapheme cluster, so an emoji or "é" stays whole). */
function firstGrapheme(word: string): string {
  if (!segmenter) return [...word][0] ?? "";
  for (const { segment } of segmenter.segment(word)) return segment;
  return "";
}

/** "Ada Lovelace" → "AL", "bob" → "B", "Jean-Luc Picard" → "JP"; "?" for a name without letters. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  const picked = words.length > 1 ? [words[0]!, words.at(-1)!] : words;
  const letters = picked.map(firstGrapheme).join("").toLocaleUpperCase();
  return letters || "?";
}

/** FNV-1a over the name's UTF-16 units: stable across tabs and browsers, so everyone sees one colour. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** HSL (h in degrees, s and l in 0..1) to sRGB channels in 0..1 (CSS Color 4 algorithm). */
function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
  };
  return [f(0), f(8), f(4)];
}

/** WCAG 2.x relative luminance of an sRGB colour with channels in 0..1. */
export function relativeLuminance([r, g, b]: [number, number, number]): number {
  const linear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** Contrast of white text on the colour, as WCAG defines it: (L1 + 0.05) / (L2 + 0.05). */
export function contrastWithWhite(rgb: [number, number, number]): number {
  return 1.05 / (relativeLuminance(rgb) + 0.05);
}

const toHex = (c: number) =>
  Math.round(c * 255)
    .toString(16)
    .padStart(2, "0");

/**
 * A background colour for `name`'s avatar as "#rrggbb": the hue comes from the name, the lightness is
 * lowered until white initials reach AA contrast (yellows and greens need darker shades than blues).
 */
export function avatarColour(name: string): string {
  const h = hash(name.trim().toLocaleLowerCase());
  const hue = h % 360;
  const saturation = 0.45 + ((h >>> 9) % 20) / 100;
  let lightness = 0.5;
  let rgb = hslToRgb(hue, saturation, lightness);
  while (contrastWithWhite(rgb) < AVATAR_MIN_CONTRAST + 0.1 && lightness > 0.1) {
    lightness -= 0.02;
    rgb = hslToRgb(hue, saturation, lightness);
  }
  return `#${rgb.map(toHex).join("")}`;
}
