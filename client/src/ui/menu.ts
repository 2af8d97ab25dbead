// What a Menu (ui/Menu.vue) lists: actions, a labelled group of choices (one picked), separators.
import type { Component } from "vue";

/** One entry of a menu, in order. */
export type MenuEntry =
  | {
      kind: "item";
      label: string;
      icon?: Component;
      /** Shown at the end of the row, e.g. "Ctrl+D". */
      shortcut?: string;
      disabled?: boolean;
      select: () => void;
    }
  | {
      /** A group named `label` ("Layout") of options, one of them `value`: menuitemradio rows. */
      kind: "choice";
      label: string;
      value: string;
      options: { value: string; label: string; icon?: Component }[];
      choose: (value: string) => void;
    }
  | { kind: "separator" };
