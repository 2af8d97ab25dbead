// Reaching people on the client: unread counts by id difference (pure), and the do-not-disturb and
// file-size refusals worded in the page's language.
import { afterEach, describe, expect, it } from "vitest";
import { raised, unreadIn } from "../src/features/reach/unread";
import { errorText } from "../src/i18n/errors";
import { setLocale } from "../src/i18n";
import { showCountInTitle, showUnreadInTitle } from "../src/ui/attention";

afterEach(() => setLocale("en"));

describe("unread counts", () => {
  it("counts the ids past the read position, nothing before the first sync", () => {
    expect(unreadIn("SPORTS", { SPORTS: 100 }, { SPORTS: 103 })).toBe(3);
    expect(unreadIn("SPORTS", { SPORTS: 105 }, { SPORTS: 103 })).toBe(0);
    expect(unreadIn("SPORTS", {}, { SPORTS: 103 })).toBe(0);
    expect(unreadIn("GAMES", { GAMES: 7 }, {})).toBe(0);
  });

  it("only ever raises positions and ids, and keeps the object when nothing rises", () => {
    const held = { GENERAL: 10, SPORTS: 5 };
    expect(raised(held, { GENERAL: 9 })).toBe(held);
    expect(raised(held, { SPORTS: 6, GAMES: 1 })).toEqual({ GENERAL: 10, SPORTS: 6, GAMES: 1 });
    expect(held).toEqual({ GENERAL: 10, SPORTS: 5 });
  });
});

describe("refusals", () => {
  it("words do_not_disturb with the person's name, in English and Spanish", () => {
    const refused = { code: "do_not_disturb", message: "Ben is unavailable" };
    expect(errorText(refused, { event: "call:invite", name: "Ben" })).toBe("Ben is unavailable");
    setLocale("es");
    expect(errorText(refused, { event: "private:open", name: "Ben" })).toBe("Ben no está disponible");
    // Without the name, the server's text.
    expect(errorText(refused, {})).toBe("Ben is unavailable");
  });

  it("words file_too_large with the limit", () => {
    const refused = { code: "file_too_large", message: "server text" };
    expect(errorText(refused, { event: "file:offer", max: 100 })).toBe(
      "That file is too large: the limit is 100 MB.",
    );
  });
});

describe("the title", () => {
  it("shows the rooms' and the private chat's unread messages together", () => {
    document.title = "Video Chat";
    showCountInTitle("rooms", 3);
    expect(document.title).toBe("(3) Video Chat");
    showUnreadInTitle(2);
    expect(document.title).toBe("(5) Video Chat");
    showCountInTitle("rooms", 0);
    showUnreadInTitle(0);
    expect(document.title).toBe("Video Chat");
  });
});
