// Where the stage puts each tile (layout.ts): the grid's rows for 1–6 tiles, the tile in focus (a pin,
// a share, the speaker) with the rest in the filmstrip, and the self-view floating or hidden, moved by
// a drag, a press of "Move self view" or an arrow key.
import { describe, expect, it } from "vitest";
import {
  arrange,
  cornerToward,
  gridRows,
  nearestCorner,
  nextCorner,
  type ArrangeOptions,
} from "../src/features/call/layout";
import type { Tile } from "../src/features/call/stage";

function person(id: string, self = false): Tile {
  const base = { participantId: id, name: id, label: self ? `${id} (you)` : id, self };
  return {
    ...base,
    key: `${id}:camera`,
    source: "camera",
    video: true,
    muted: false,
    state: null,
    reconnecting: false,
    speaking: false,
    version: 1,
  };
}
const screenOf = (id: string): Tile => ({
  ...person(id),
  key: `${id}:screen`,
  label: `${id}'s screen`,
  source: "screen",
});
const grid: ArrangeOptions = { mode: "grid", pinned: null, speakerId: null, selfHidden: false };
const names = (tiles: Tile[]) => tiles.map((tile) => tile.label);

describe("the grid's rows", () => {
  it("fills a landscape stage for 1 to 6 tiles: no empty row, fuller rows first, at most one short", () => {
    const shapes = [1, 2, 3, 4, 5, 6].map((n) => gridRows(n, 1280, 720));
    expect(shapes).toEqual([[1], [2], [2, 1], [2, 2], [3, 2], [3, 3]]);
  });

  it("stacks on a phone held upright", () => {
    expect(gridRows(2, 374, 640)).toEqual([1, 1]);
    expect(gridRows(3, 374, 640)).toEqual([1, 1, 1]);
    expect(gridRows(4, 374, 640)).toEqual([1, 1, 1, 1]);
    expect(gridRows(6, 374, 640)).toEqual([2, 2, 2]);
  });

  it("puts 3–4 upright tiles (the stage's aspect on an upright phone) two side by side, as Meet does", () => {
    const upright = 3 / 4;
    expect(gridRows(2, 374, 640, upright)).toEqual([1, 1]);
    expect(gridRows(3, 374, 640, upright)).toEqual([2, 1]);
    expect(gridRows(4, 374, 640, upright)).toEqual([2, 2]);
    expect(gridRows(6, 374, 640, upright)).toEqual([2, 2, 2]);
  });

  it("holds every tile", () => {
    for (let n = 1; n <= 6; n++) {
      for (const [w, h] of [
        [1280, 720],
        [374, 640],
        [900, 900],
      ] as const) {
        expect(gridRows(n, w, h).reduce((a, b) => a + b, 0)).toBe(n);
      }
    }
  });
});

describe("arranging the stage", () => {
  const alice = person("Alice", true);
  const [bob, carol] = [person("Bob"), person("Carol")];

  it("floats the self-view over a 1:1 call, and puts it in the grid of a group", () => {
    expect(arrange([bob, alice], grid)).toMatchObject({ kind: "grid", grid: [bob], floating: alice });
    expect(arrange([bob, carol, alice], grid)).toMatchObject({
      kind: "grid",
      grid: [bob, carol, alice],
      floating: null,
    });
  });

  it("hides the self-view when asked, everywhere", () => {
    const hidden = { ...grid, selfHidden: true };
    expect(arrange([bob, alice], hidden)).toMatchObject({ grid: [bob], floating: null });
    expect(names(arrange([bob, carol, alice], hidden).grid)).toEqual(["Bob", "Carol"]);
  });

  it("gives a screen share the stage, the cameras the filmstrip", () => {
    const layout = arrange([bob, screenOf("Bob"), carol, alice], grid);
    expect(layout.kind).toBe("focus");
    expect(layout.main?.label).toBe("Bob's screen");
    expect(names(layout.strip)).toEqual(["Bob", "Carol", "Alice (you)"]);
  });

  it("puts a pinned tile first, even over a share", () => {
    const layout = arrange([bob, screenOf("Bob"), carol, alice], { ...grid, pinned: "Carol:camera" });
    expect(layout.main).toBe(carol);
    expect(names(layout.strip)).toEqual(["Bob", "Bob's screen", "Alice (you)"]);
  });

  it("shows the speaker large in the speaker layout, else the first person", () => {
    const speaker = { ...grid, mode: "speaker" as const };
    expect(arrange([bob, carol, alice], { ...speaker, speakerId: "Carol" }).main).toBe(carol);
    expect(arrange([bob, carol, alice], speaker).main).toBe(bob);
    // Only oneself besides the speaker: a floating self-view, not a filmstrip of one.
    expect(arrange([bob, alice], speaker)).toMatchObject({ main: bob, strip: [], floating: alice });
  });

  it("settles a dragged self-view in the nearest corner", () => {
    expect(nearestCorner(10, 10, 100, 100)).toBe("top-left");
    expect(nearestCorner(90, 80, 100, 100)).toBe("bottom-right");
  });
});

describe("moving the self-view by keyboard", () => {
  it("goes to the next corner clockwise on each press", () => {
    expect(nextCorner("top-left")).toBe("top-right");
    expect(nextCorner("top-right")).toBe("bottom-right");
    expect(nextCorner("bottom-right")).toBe("bottom-left");
    expect(nextCorner("bottom-left")).toBe("top-left");
  });

  it("goes the way an arrow key points, and nowhere for other keys or towards its own side", () => {
    expect(cornerToward("bottom-right", "ArrowUp")).toBe("top-right");
    expect(cornerToward("bottom-right", "ArrowLeft")).toBe("bottom-left");
    expect(cornerToward("top-left", "ArrowDown")).toBe("bottom-left");
    expect(cornerToward("top-left", "ArrowRight")).toBe("top-right");
    expect(cornerToward("top-left", "ArrowUp")).toBeNull();
    expect(cornerToward("top-left", "Enter")).toBeNull();
  });
});
