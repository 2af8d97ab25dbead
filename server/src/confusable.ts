// Names that a person cannot tell apart share one key: Unicode UTS #39 confusable skeletons.
import unhomoglyph from "unhomoglyph";
import { stripInvisible } from "@videochat/protocol/text";

/**
 * The UTS #39 (section 4) skeleton of `text`: NFD, invisible code points removed (Default_Ignorable_Code_Point
 * and the blanks of text.ts), every character replaced by its prototype from Unicode's confusables.txt
 * (the data ships with unhomoglyph: Unicode 13.0), NFD again. Equal skeletons mean confusable strings.
 * Only for comparing: a skeleton mixes scripts ("m" becomes "rn") and is never shown.
 */
export function skeleton(text: string): string {
  return unhomoglyph(stripInvisible(text.normalize("NFD"))).normalize("NFD");
}

/** Case folding as far as JavaScript has it: one answer for every case of a word ("ß", "SS", "ss"). */
const fold = (text: string): string => text.toUpperCase().toLowerCase();

/**
 * One round of comparison. Capitals first: confusables.txt maps Cyrillic В, Greek Β and Κ to B and K only in
 * upper case, so folding first would let "Вob" pass for "Bob". Then lower case, where "rn" looks like "m".
 */
const round = (text: string): string => fold(skeleton(fold(skeleton(text.toUpperCase()))));

/** Rounds until the key no longer changes; two are enough for every letter in the data, four bound it. */
const MAX_ROUNDS = 4;

/**
 * The key a display name is claimed under: one live session per key. Case-insensitive and compatibility-
 * normalised (NFKC), with look-alikes folded together by their UTS #39 skeletons, so "Ana", "ana", "Аna"
 * (Cyrillic А) and "Ana" with a zero-width character share a key. The price: letters that look alike in
 * one case count as one in every case (I, l and 1; O and 0).
 */
export function nameKey(name: string): string {
  let key = name.normalize("NFKC");
  for (let i = 0; i < MAX_ROUNDS; i++) {
    const next = round(key);
    if (next === key) break;
    key = next;
  }
  return key;
}
