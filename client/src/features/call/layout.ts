// Where each tile goes on the stage, as plain data (LiveKit's GridLayout / FocusLayout split, Jitsi's
// tile view): a grid of everyone, or one tile in focus (a pinned tile, else a screen share, else, in
// the speaker layout, whoever speaks) with the rest in a filmstrip. The self-view floats in a corner
// while it would otherwise share the stage with one other tile only.
import type { Tile } from "./stage";

export type LayoutMode = "grid" | "speaker";
export type Corner = "top-left" | "top-right" | "bottom-left" | "bottom-right";

export interface StageArrangement {
  /** grid: `grid` holds the tiles; focus: `main` takes the stage and `strip` the rest. */
  kind: "grid" | "focus";
  grid: Tile[];
  main: Tile | null;
  strip: Tile[];
  /** The self-view as a small movable tile in a corner, or null (it is in the grid or strip, or hidden). */
  floating: Tile | null;
}

export interface ArrangeOptions {
  mode: LayoutMode;
  pinned: string | null;
  speakerId: string | null;
  selfHidden: boolean;
}

/** The tile that takes the stage, or null for the grid. */
function focusOf(tiles: Tile[], options: ArrangeOptions): Tile | null {
  const pinned = tiles.find((tile) => tile.key === options.pinned);
  if (pinned) return pinned;
  // Someone else's share; one's own is a preview tile, not something to look at large.
  const selfId = tiles.find((tile) => tile.self)?.participantId;
  const share = tiles.find((tile) => tile.source === "screen" && tile.participantId !== selfId);
  if (share) return share;
  if (options.mode !== "speaker") return null;
  const others = tiles.filter((tile) => !tile.self);
  return others.find((tile) => tile.participantId === options.speakerId) ?? others[0] ?? null;
}

/** Splits the stage's tiles (self included, in any order) into what goes where. */
export function arrange(tiles: Tile[], options: ArrangeOptions): StageArrangement {
  const self = tiles.find((tile) => tile.self) ?? null;
  const shownSelf = options.selfHidden ? null : self;
  const others = tiles.filter((tile) => !tile.self);
  const main = focusOf(tiles, options);
  if (main) {
    const rest = others.filter((tile) => tile !== main);
    const selfInStrip = shownSelf && shownSelf !== main ? [shownSelf] : [];
    // A strip of only oneself would waste a column: the self-view floats instead.
    if (rest.length === 0)
      return { kind: "focus", grid: [], main, strip: [], floating: selfInStrip[0] ?? null };
    return { kind: "focus", grid: [], main, strip: [...rest, ...selfInStrip], floating: null };
  }
  if (others.length === 1) return { kind: "grid", grid: others, main: null, strip: [], floating: shownSelf };
  return {
    kind: "grid",
    grid: shownSelf ? [...others, shownSelf] : others,
    main: null,
    strip: [],
    floating: null,
  };
}

/**
 * How many tiles each row of the grid holds, for `count` tiles in a `width`×`height` area (CSS px): the
 * column count that gives each tile the largest picture of `aspect` (width/height), rows filled evenly
 * and the fuller rows first. No row is empty and no tile is left without a cell.
 */
export function gridRows(count: number, width: number, height: number, aspect = 4 / 3): number[] {
  if (count <= 0) return [];
  let best = { columns: 1, area: -1 };
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const cellW = width / columns;
    const cellH = height / rows;
    const picture = Math.min(cellW, cellH * aspect);
    const area = picture * (picture / aspect);
    if (area > best.area + 0.5) best = { columns, area };
  }
  const rows = Math.ceil(count / best.columns);
  const base = Math.floor(count / rows);
  const extra = count % rows;
  return Array.from({ length: rows }, (_, i) => base + (i < extra ? 1 : 0));
}

/** The corner nearest to a point of a `width`×`height` area: where a dragged self-view settles. */
export function nearestCorner(x: number, y: number, width: number, height: number): Corner {
  const vertical = y < height / 2 ? "top" : "bottom";
  const horizontal = x < width / 2 ? "left" : "right";
  return `${vertical}-${horizontal}`;
}

const CLOCKWISE: Corner[] = ["top-left", "top-right", "bottom-right", "bottom-left"];

/** The next corner clockwise: where "Move self view" takes the self-view on each press. */
export function nextCorner(corner: Corner): Corner {
  return CLOCKWISE[(CLOCKWISE.indexOf(corner) + 1) % CLOCKWISE.length]!;
}

/**
 * The corner an arrow key points to from `corner` ("ArrowLeft" from bottom-right: bottom-left), or null
 * for any other key (or an arrow towards the side it is already on).
 */
export function cornerToward(corner: Corner, key: string): Corner | null {
  const [vertical, horizontal] = corner.split("-") as ["top" | "bottom", "left" | "right"];
  const moved: Record<string, Corner> = {
    ArrowUp: `top-${horizontal}`,
    ArrowDown: `bottom-${horizontal}`,
    ArrowLeft: `${vertical}-left`,
    ArrowRight: `${vertical}-right`,
  };
  const next = moved[key];
  return next && next !== corner ? next : null;
}
