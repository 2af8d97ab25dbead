// The SPA speaks the browser's language (English by default) with every text in both catalogues, and
// words the server's error codes itself, falling back to the server's message where it cannot.
// The join screen in Spanish is in joinForm.test.ts.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { pickLocale, setLocale } from "../src/i18n";
import en from "../src/i18n/en";
import es from "../src/i18n/es";
import { errorText } from "../src/i18n/errors";

/** Every key path of a catalogue, e.g. "call.phase.ringing". */
function keys(messages: object, prefix = ""): string[] {
  return Object.entries(messages).flatMap(([key, value]) =>
    typeof value === "object" ? keys(value as object, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

/** Every text key the SPA's code names literally (`t("call.partnerLeft")`, `$t('room.leave')`), by file. */
function keysUsed(): Map<string, string> {
  const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src");
  const used = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.(ts|vue)$/.test(entry.name) && !file.includes(`${path.sep}i18n${path.sep}`)) {
        for (const match of readFileSync(file, "utf8").matchAll(/\$?\bt\(\s*["']([A-Za-z0-9_.]+)["']/g))
          used.set(match[1]!, path.relative(src, file));
      }
    }
  };
  walk(src);
  return used;
}

afterEach(() => setLocale("en"));

describe("languages", () => {
  it("follows the browser's first language it speaks, English otherwise", () => {
    expect(pickLocale(["es-MX", "en"])).toBe("es");
    expect(pickLocale(["fr-FR", "ES"])).toBe("es");
    expect(pickLocale(["fr-FR", "de"])).toBe("en");
    expect(pickLocale([])).toBe("en");
  });

  it("has every English text in Spanish too", () => {
    expect(keys(es).sort()).toEqual(keys(en).sort());
  });

  it("has a text for every key the code names (a merge that drops one shows the raw key)", () => {
    const known = new Set(keys(en));
    const used = keysUsed();
    expect(used.size).toBeGreaterThan(100);
    const missing = [...used].filter(([key]) => !known.has(key)).map(([key, file]) => `${key} (${file})`);
    expect(missing).toEqual([]);
  });
});

describe("error codes", () => {
  it("words a known code in the page's language, by the event that failed", () => {
    const busy = { code: "already_in_chat", message: "server text" };
    expect(errorText(busy, { event: "private:open" })).toBe("Close your private chat first.");
    expect(errorText(busy, { event: "group:start" })).toBe(
      "You are already talking with someone. Leave that conversation first.",
    );
    setLocale("es");
    expect(errorText(busy, { event: "private:open" })).toBe("Cierra primero tu chat privado.");
    expect(errorText({ code: "rate_limited", message: "x", retryAfterMs: 2500 })).toBe(
      "Estás enviando demasiado rápido. Inténtalo de nuevo en 3 s.",
    );
  });

  it("falls back to the server's message for an unknown code, or a detail only the server had", () => {
    setLocale("es");
    expect(errorText({ code: "brand_new_rule", message: "From the server." })).toBe("From the server.");
    expect(errorText({ code: "invalid_name", message: "A display name is at most 32 characters" })).toBe(
      "A display name is at most 32 characters",
    );
    expect(errorText({ code: "partner_busy", message: "Bob is busy." })).toBe("Bob is busy.");
    expect(errorText({ code: "partner_busy", message: "Bob is busy." }, { name: "Bob" })).toBe(
      "Bob ya está hablando con otra persona",
    );
  });
});
