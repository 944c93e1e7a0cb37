import { describe, expect, it } from "vitest";
import type { ExportedColumn } from "../../src/export/exported-model.ts";
import { change, headlineRows, median } from "../../src/export/headline.ts";
import { loadMessages } from "../../src/export/messages.ts";
import { quarantineSpikes, type ReasonDay } from "../../src/export/quarantine-spikes.ts";
import { DEFAULT_TEMPLATES_DIR } from "../../src/export/render-email.ts";
import { reportDays } from "../../src/export/report-days.ts";
import type { RunReport } from "../../src/export/run-report.ts";
import { evenChunks, textGrid } from "../../src/export/text-grid.ts";

const ru = loadMessages(DEFAULT_TEMPLATES_DIR, "ru");
const en = loadMessages(DEFAULT_TEMPLATES_DIR, "en");
const nb = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");
const col = (name: string, format?: string): ExportedColumn => ({
  name,
  label: { ru: name, en: name },
  ...(format ? { format } : {}),
});

describe("the headline's changes", () => {
  it("a count by its difference and relative change; a percent in points; an hour in hours", () => {
    expect(change(col("n", "integer"), 2291, 2584, "ru", ru)).toEqual({ diff: "−293", rel: "−11,3\u00a0%" });
    expect(change(col("n", "integer"), 1518, 1481, "en", en)).toEqual({ diff: "+37", rel: "+2.5%" });
    expect(nb(change(col("r", "percent"), 0.422, 0.441, "ru", ru).diff)).toBe("−1,9 п. п.");
    expect(change(col("r", "percent"), 0.422, 0.441, "en", en)).toEqual({ diff: "−1.9 pp", rel: "" });
    expect(change(col("h", "hour"), 15, 11, "ru", ru)).toEqual({ diff: "+4 ч", rel: "" });
    expect(change(col("d", "decimal:2"), 5.33, 6.14, "en", en)).toEqual({ diff: "−0.81", rel: "−13.2%" });
    // From zero: no relative change; no change: just 0; nothing to compare with: a dash.
    expect(change(col("n", "integer"), 5, 0, "en", en)).toEqual({ diff: "+5", rel: "" });
    expect(change(col("n", "integer"), 5, 5, "en", en)).toEqual({ diff: "0", rel: "" });
    expect(change(col("n", "integer"), 5, undefined, "en", en)).toEqual({ diff: "—", rel: "" });
  });

  it("the median of the 7 days before, of those with a row; none from fewer than 4", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
    const day = (d: string, n: number) => ({ day: d, n });
    const columns = [col("day", "date"), col("n", "integer")];
    // 10..16 Nov before the 17th: 10, 20, …, 70 → median 40; the 12th has no row.
    const week = [10, 11, 13, 14, 15, 16].map((d, i) => day(`2026-11-${d}`, (i + 1) * 10));
    const [row] = headlineRows(columns, [...week, day("2026-11-17", 100)], "day", "2026-11-17", "en", en);
    expect(row).toMatchObject({ value: "100", prev: { diff: "+40" }, median: { diff: "+65" } });
    const few = headlineRows(
      columns,
      [...week.slice(-3), day("2026-11-17", 100)],
      "day",
      "2026-11-17",
      "en",
      en,
    );
    expect(few[0]?.median.diff).toBe("—");
    expect(few[0]?.prev.diff).toBe("+40");
  });
});

describe("quarantine spikes", () => {
  const days = [
    "2026-11-10",
    "2026-11-11",
    "2026-11-12",
    "2026-11-13",
    "2026-11-14",
    "2026-11-15",
    "2026-11-16",
  ];
  const usual = (reason: string, count: number): ReasonDay[] =>
    days.map((day) => ({ day, reason, count, total: 1000 }));

  it("a reason far above its usual share of the records, with enough records, is one", () => {
    const rows = [
      ...usual("a", 2),
      ...usual("b", 20),
      { day: "2026-11-17", reason: "a", count: 30, total: 1000 }, // 3 % against 0,2 %
      { day: "2026-11-17", reason: "b", count: 25, total: 1000 }, // 2,5 % against 2 %: usual
    ];
    expect(quarantineSpikes(rows, "2026-11-17")).toEqual([
      { reason: "a", count: 30, share: 0.03, usual: 0.002 },
    ]);
  });

  it("a handful of records, a rise of a hundredth of a percent or too little history is none", () => {
    expect(
      quarantineSpikes(
        [...usual("a", 0), { day: "2026-11-17", reason: "a", count: 9, total: 1000 }],
        "2026-11-17",
      ),
    ).toEqual([]);
    const tiny = [...usual("a", 1), { day: "2026-11-17", reason: "a", count: 12, total: 100_000 }];
    expect(quarantineSpikes(tiny, "2026-11-17")).toEqual([]);
    const young = [...usual("a", 1).slice(-2), { day: "2026-11-17", reason: "a", count: 50, total: 1000 }];
    expect(quarantineSpikes(young, "2026-11-17")).toEqual([]);
  });

  it("a reason never seen in the trailing days counts from nothing; a quiet day's total still counts", () => {
    const rows: ReasonDay[] = [
      ...days.map((day) => ({ day, reason: null, count: 0, total: 1000 })),
      { day: "2026-11-17", reason: "new", count: 10, total: 1000 },
    ];
    expect(quarantineSpikes(rows, "2026-11-17")).toEqual([
      { reason: "new", count: 10, share: 0.01, usual: 0 },
    ]);
  });
});

describe("the report's days", () => {
  const report = (days: string[], start: string, end: string): RunReport => ({
    status: "success",
    days,
    counts: {},
    stages: [],
    warnings: [],
    window: { start: new Date(start), end: new Date(end) },
  });

  it("a nightly run: the report day is yesterday, today is partial and after it", () => {
    const r = reportDays(
      report(["2026-11-25", "2026-11-26"], "2026-11-25T00:15:00Z", "2026-11-26T02:15:00Z"),
      "2026-11-25",
    );
    expect(r).toEqual({
      day: "2026-11-25",
      partial: { day: "2026-11-26", until: new Date("2026-11-26T02:15:00Z") },
      through: ["2026-11-25"],
    });
  });

  it("a whole-day window has no partial day; a window inside one day is its own, partial report day", () => {
    expect(
      reportDays(
        report(["2026-11-10", "2026-11-11"], "2026-11-10T00:00:00Z", "2026-11-12T00:00:00Z"),
        "2026-11-11",
      ),
    ).toEqual({ day: "2026-11-11", through: ["2026-11-10", "2026-11-11"] });
    expect(
      reportDays(report(["2026-11-26"], "2026-11-26T08:00:00Z", "2026-11-26T10:00:00Z"), "2026-11-26").partial
        ?.day,
    ).toBe("2026-11-26");
  });
});

describe("tables that fit", () => {
  it("even chunks, the longer last, never a lone leftover", () => {
    expect(evenChunks([1, 2, 3, 4], 3)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(evenChunks([1, 2, 3, 4, 5], 3)).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    expect(evenChunks([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6, 7],
    ]);
    expect(evenChunks([], 3)).toEqual([]);
  });

  it("aligned text columns within the width, the first cut when it must be", () => {
    const lines = textGrid(
      [
        ["", "a", "b"],
        ["a very long label indeed", "1 234", "−5"],
      ],
      20,
    );
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(20);
    expect(lines[1]).toBe("a very l…  1 234  −5");
    expect(lines[0]).toBe(`${" ".repeat(15)}a   b`);
  });
});
