// @vitest-environment happy-dom
// The Emoji dialog's first open: the data is loaded ahead (when the dialog's list mounts), and an open
// that comes before it is stored says "Loading emoji…" until it is; the skin tone button is named.
import { cleanup, render, screen, waitFor } from "@testing-library/vue";
import { afterEach, describe, expect, it, vi } from "vitest";
import { defineComponent, h, ref } from "vue";

const emojiLib = vi.hoisted(() => {
  let release: () => void = () => {};
  const databases: { dataSource: string; locale: string }[] = [];
  class FakeDatabase {
    constructor(options: { dataSource: string; locale: string }) {
      databases.push(options);
    }
    ready(): Promise<void> {
      return new Promise((resolve) => (release = resolve));
    }
  }
  const pickers: { i18n: { skinToneLabel: string } }[] = [];
  return { FakeDatabase, databases, pickers, release: () => release() };
});
vi.mock("emoji-picker-element/database", () => ({ default: emojiLib.FakeDatabase }));
vi.mock("emoji-picker-element/picker", () => ({
  default: class extends HTMLElement {
    constructor(options: { i18n: { skinToneLabel: string } }) {
      super();
      this.attachShadow({ mode: "open" });
      emojiLib.pickers.push(options);
    }
  },
}));

import EmojiDialog from "../src/features/messages/EmojiDialog.vue";
customElements.define("fake-emoji-picker", (await import("emoji-picker-element/picker")).default);

afterEach(cleanup);

describe("the Emoji dialog", () => {
  it("loads the emoji data before the first open, and shows Loading emoji… until it is stored", async () => {
    const open = ref(false);
    render(
      defineComponent(
        () => () => h(EmojiDialog, { open: open.value, "onUpdate:open": (v: boolean) => (open.value = v) }),
      ),
    );
    // Mounted (closed) with the message list: the data starts loading while the page is idle.
    await waitFor(() => expect(emojiLib.databases).toHaveLength(1));
    expect(emojiLib.databases[0]!.dataSource).toMatch(/data\.json/);

    open.value = true;
    const dialog = await screen.findByRole("dialog", { name: "Emoji" });
    expect((await screen.findByRole("status")).textContent).toBe("Loading emoji…");
    expect(dialog.querySelector("fake-emoji-picker")).not.toBeNull();
    emojiLib.release();
    await waitFor(() => expect(screen.queryByText("Loading emoji…")).toBeNull());
    // The same data serves every later open: one database, no loading line.
    expect(emojiLib.databases).toHaveLength(1);

    // The skin tone button is named for what it does, with the picker's current tone.
    expect(emojiLib.pickers[0]!.i18n.skinToneLabel).toBe("Skin tone: {skinTone}");
    const picker = dialog.querySelector<HTMLElement>("fake-emoji-picker")!;
    expect(picker.style.getPropertyValue("--videochat-skin-tone-word")).toBe('"Skin tone"');
  });
});
