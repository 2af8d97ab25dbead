// A received file's type is the sender's word: only the image types the chat previews keep theirs; every
// other file (an HTML page, an SVG that can hold scripts) is saved as plain bytes, never opened as a page.
import { describe, expect, it } from "vitest";
import { previewable } from "../src/features/files/fileStore";

describe("received file types", () => {
  it("previews the common photo formats", () => {
    for (const type of ["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp"])
      expect(previewable(type)).toBe(true);
  });

  it("keeps pages, scripts and SVG as downloads only", () => {
    for (const type of [
      "text/html",
      "image/svg+xml",
      "application/xhtml+xml",
      "text/javascript",
      "",
      "image/png; x",
    ])
      expect(previewable(type)).toBe(false);
  });
});
