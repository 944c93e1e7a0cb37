import { describe, expect, it } from "vitest";
import { upsertByDate } from "../../src/export/upsert-by-date.ts";

const H = ["Дата", "Попыток"];

describe("upsertByDate", () => {
  it("writes header and rows into an empty sheet", () => {
    const plan = upsertByDate([], H, [["2026-11-02", 5]]);
    expect(plan).toMatchObject({ from: 0, appendOnly: true, inserted: 1, updated: 0 });
    expect(plan.grid).toEqual([H, ["2026-11-02", 5]]);
  });

  it("adds a header above rows that have none, keeps other rows after the days", () => {
    const plan = upsertByDate(
      [
        ["2026-11-03", "7"],
        ["Итого", "7"],
        ["2026-11-01", "1"],
      ],
      H,
      [["2026-11-02", 2]],
    );
    expect(plan.grid).toEqual([
      H,
      ["2026-11-01", "1"],
      ["2026-11-02", 2],
      ["2026-11-03", "7"],
      ["Итого", "7"],
    ]);
    expect(plan.from).toBe(0);
  });

  it("nothing to write when the sheet already holds the same values (numbers read back as text)", () => {
    const plan = upsertByDate([H, ["2026-11-01", "1"]], H, [["2026-11-01", 1]]);
    expect(plan).toMatchObject({ from: -1, updated: 1, inserted: 0 });
  });

  it("rewrites from the first changed row; a narrower row clears the old cells", () => {
    const existing = [
      ["Date", "Attempts", "Old"],
      ["2026-11-01", 1, "x"],
      ["2026-11-02", 2, "y"],
    ];
    const plan = upsertByDate(existing, H, [["2026-11-02", 3]]);
    expect(plan.from).toBe(0);
    expect(plan.appendOnly).toBe(false);
    expect(plan.grid).toEqual([
      [...H, ""],
      ["2026-11-01", 1, "x"],
      ["2026-11-02", 3, ""],
    ]);
  });
});
