import { describe, expect, it } from "vitest";
import { compareRows, formatRowDiff } from "../../src/transform/unit-tests/compare-rows.ts";

describe("compareRows", () => {
  it("compares multisets: order does not matter, duplicates do", () => {
    expect(compareRows([["a"], ["b"]], [["b"], ["a"]])).toEqual({ missing: [], unexpected: [] });
    expect(compareRows([["a"], ["a"]], [["a"]])).toEqual({ missing: [["a"]], unexpected: [] });
    expect(compareRows([["a"]], [["a"], ["a"], [null]])).toEqual({
      missing: [],
      unexpected: [["a"], [null]],
    });
  });

  it("tells NULL from the text 'null'", () => {
    expect(compareRows([[null]], [["null"]])).toEqual({ missing: [[null]], unexpected: [["null"]] });
  });
});

describe("formatRowDiff", () => {
  it("lists missing and unexpected rows, and how the closest produced row differs", () => {
    const diff = compareRows(
      [
        ["1", "run"],
        ["2", null],
      ],
      [
        ["1", "run"],
        ["2", "submit"],
        ["3", "run"],
      ],
    );
    expect(formatRowDiff(["id", "kind"], diff)).toEqual([
      "expected, not produced:",
      '  - {id: "2", kind: NULL}',
      '    ~ the closest produced row has kind "submit" instead of NULL',
      "produced, not expected:",
      '  + {id: "2", kind: "submit"}',
      '  + {id: "3", kind: "run"}',
    ]);
  });
});
