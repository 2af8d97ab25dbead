import { describe, expect, it } from "vitest";
import { mergeOccupancy } from "../src/features/room/occupancy";

describe("room counts", () => {
  const held = [
    { name: "GENERAL", count: 3, version: 10 },
    { name: "SPORTS", count: 1, version: 4 },
  ];

  it("applies the counts of the rooms that changed and keeps the others and their order", () => {
    expect(mergeOccupancy(held, [{ name: "SPORTS", count: 2, version: 5 }])).toEqual([
      { name: "GENERAL", count: 3, version: 10 },
      { name: "SPORTS", count: 2, version: 5 },
    ]);
  });

  it("ignores a count that arrives after a newer one of the same room", () => {
    expect(mergeOccupancy(held, [{ name: "GENERAL", count: 9, version: 9 }])).toEqual(held);
  });
});
