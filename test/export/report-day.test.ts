import { describe, expect, it } from "vitest";
import { reportDay } from "../../src/export/report-days.ts";
import type { RunReport } from "../../src/export/run-report.ts";

const report = (days: string[], start?: string, end?: string): RunReport => ({
  status: "success",
  days,
  counts: {},
  stages: [],
  warnings: [],
  ...(start && end ? { window: { start: new Date(start), end: new Date(end) } } : {}),
});

describe("reportDay", () => {
  it("a nightly run reports the last complete day, not the hours of today it also fetched", () => {
    expect(
      reportDay(report(["2026-11-25", "2026-11-26"], "2026-11-25T00:15:00Z", "2026-11-26T02:15:00Z")),
    ).toBe("2026-11-25");
  });

  it("a window inside one day reports that day; a backfill its last day; none: undefined", () => {
    expect(reportDay(report(["2026-11-26"], "2026-11-26T08:00:00Z", "2026-11-26T10:00:00Z"))).toBe(
      "2026-11-26",
    );
    expect(
      reportDay(report(["2026-11-10", "2026-11-11"], "2026-11-10T00:00:00Z", "2026-11-12T00:00:00Z")),
    ).toBe("2026-11-11");
    expect(reportDay(report(["2026-11-20"]))).toBe("2026-11-20");
    expect(reportDay(report([]))).toBeUndefined();
  });
});
