// @vitest-environment happy-dom
// Initials avatars: which letters, and a colour per name on which white initials meet WCAG AA.
import { cleanup, render } from "@testing-library/vue";
import { afterEach, describe, expect, it } from "vitest";
import { AVATAR_MIN_CONTRAST, avatarColour, contrastWithWhite, initials } from "../src/ui/avatar";
import Avatar from "../src/ui/Avatar.vue";

const channels = (hex: string): [number, number, number] => {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) / 255, ((n >> 8) & 0xff) / 255, (n & 0xff) / 255];
};

afterEach(cleanup);

describe("initials", () => {
  it.each([
    ["Ada Lovelace", "AL"],
    ["bob", "B"],
    ["  Jean-Luc  Picard ", "JP"],
    ["Grace Brewster Murray Hopper", "GH"],
    ["élodie", "É"],
    ["👩🏽‍🚀 Sally", "👩🏽‍🚀S"],
    ["", "?"],
  ])("%j → %j", (name, expected) => {
    expect(initials(name)).toBe(expected);
  });
});

describe("avatar colour", () => {
  it("is the same for a name every time, whatever its case, and differs between names", () => {
    expect(avatarColour("Alice")).toBe(avatarColour("alice"));
    const colours = new Set(["Alice", "Bob", "Carol", "Dan", "Eve", "Frank"].map(avatarColour));
    expect(colours.size).toBeGreaterThan(4);
  });

  it("keeps white initials at AA contrast (4.5:1) for any name", () => {
    const names = Array.from({ length: 2000 }, (_, i) => `user ${i} ${String.fromCharCode(65 + (i % 26))}`);
    for (const name of names) {
      expect(contrastWithWhite(channels(avatarColour(name)))).toBeGreaterThanOrEqual(AVATAR_MIN_CONTRAST);
    }
  });

  it("renders as a decorative circle with the initials and the name's colour", () => {
    const { container } = render(Avatar, { props: { name: "Ada Lovelace" } });
    const avatar = container.querySelector(".avatar") as HTMLElement;
    expect(avatar.dataset.initials).toBe("AL");
    expect(avatar.getAttribute("aria-hidden")).toBe("true");
    expect(avatar.textContent).toBe(""); // drawn by CSS: copying a message never copies initials
    expect(avatar.style.backgroundColor).not.toBe("");
  });
});
