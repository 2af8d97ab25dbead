// Units: what a person can see (text.ts) and when two names look the same (confusable.ts).
import { describe, expect, it } from "vitest";
import { nameKey, skeleton } from "../src/confusable.js";
import { normaliseName } from "@videochat/protocol/schemas";
import { hasVisibleLetterOrDigit, rendersAsNothing, stripInvisible } from "@videochat/protocol/text";

describe("text that renders as nothing", () => {
  it.each([
    ["", ""],
    ["spaces and line breaks", " \n\t\u00A0\u3000"],
    ["U+200B ZERO WIDTH SPACE", "\u200B\u200B"],
    ["U+2060 WORD JOINER", "\u2060"],
    ["U+2800 BRAILLE PATTERN BLANK", "\u2800\u2800"],
    ["U+3164 HANGUL FILLER", "\u3164"],
    ["the other Hangul fillers", "\u115F\u1160\uFFA0"],
    ["variation selectors and tags", "\uFE0F\u{E0100}\u{E0041}"],
    ["a soft hyphen and a bidi override", "\u00AD\u202E"],
    ["control characters", "\u0000\u0007"],
  ])("%s", (_what, text) => {
    expect(rendersAsNothing(text)).toBe(true);
    expect(hasVisibleLetterOrDigit(text)).toBe(false);
  });

  it.each(["a", "·", "😀", "\u0301", "1", " x "])("%j shows something", (text) => {
    expect(rendersAsNothing(text)).toBe(false);
  });

  it("counts letters and digits of any script, not marks, symbols or fillers", () => {
    for (const text of ["Ana", "7", "東", "\u0301a", "ا"]) expect(hasVisibleLetterOrDigit(text)).toBe(true);
    for (const text of ["\u0301\u0301", "._-", "\u3164", "\u2800"])
      expect(hasVisibleLetterOrDigit(text)).toBe(false);
  });

  it("strips invisible code points but keeps spaces", () => {
    expect(stripInvisible("A\u200Bn a\u034F\uFE0F\u3164")).toBe("An a");
    expect(normaliseName(" \u3164Ana\u180B  Lee\u2800 ")).toBe("Ana Lee");
  });
});

describe("name keys (UTS #39 skeletons)", () => {
  const same = (a: string, b: string) => expect(nameKey(a), `${a} vs ${b}`).toBe(nameKey(b));
  const apart = (a: string, b: string) => expect(nameKey(a), `${a} vs ${b}`).not.toBe(nameKey(b));

  it("keys look-alikes together: other scripts, case, width, invisible characters", () => {
    same("Ana", "\u0410na"); // Cyrillic А
    same("Ana", "ana");
    same("Ana", "ANA");
    same("Ana", "\uFF21\uFF4E\uFF41"); // fullwidth
    same("Ana", "Ana\u200B");
    same("Bob", "\u0412ob"); // Cyrillic В: confusables.txt maps it to B only as a capital
    same("Kate", "\u039Aate"); // Greek Κ
    same("TOM", "\u03A4\u039F\u039C"); // Greek capitals
    same("Sam", "Sarn"); // rn looks like m
    same("Il", "ll");
    same("Ivan", "ivan");
    same("Grace", "gRACE");
    same("Straße", "STRASSE");
  });

  it("keeps names apart that a person can tell apart", () => {
    apart("Ana", "Anna");
    apart("Ana", "Ána");
    apart("Zoë", "Zoe");
    apart("Bob", "Rob");
    apart("Ana", "An a");
    apart("Ольга", "Olga");
  });

  it("is a skeleton in the UTS #39 sense: for comparing, not for showing", () => {
    expect(skeleton("\u0410na")).toBe("Ana");
    expect(skeleton("m")).toBe("rn");
    expect(skeleton("A\u034Fn\uFE00a")).toBe("Ana");
  });
});
