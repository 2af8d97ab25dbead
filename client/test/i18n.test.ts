// The SPA speaks the browser's language (English by default) with every text in both catalogues, and
// words the server's error codes itself, falling back to the server's message where it cannot.
// The join screen in Spanish is in joinForm.test.ts.
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
