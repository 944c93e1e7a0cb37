import { describe, expect, it } from "vitest";
import { parseRunArgs } from "../../src/cli/run-args.ts";
import { parseWindow } from "../../src/cli/window-args.ts";
import { daysOf } from "../../src/pipeline/days-of.ts";

describe("run arguments", () => {
  it("reads dates and timestamps as UTC", () => {
    expect(parseWindow({ start: "2026-11-20" }).start?.toISOString()).toBe("2026-11-20T00:00:00.000Z");
    expect(parseWindow({ start: "2026-11-20 13:05" }).start?.toISOString()).toBe("2026-11-20T13:05:00.000Z");
    const w = parseWindow({ start: "2026-11-20 13:05:07.123456", end: "2026-11-21T00:00:00Z" });
    expect(w.start?.toISOString()).toBe("2026-11-20T13:05:07.123Z");
    expect(w.end?.toISOString()).toBe("2026-11-21T00:00:00.000Z");
  });

  it("rejects what is not a date, naming the flag", () => {
    expect(() => parseWindow({ start: "yesterday" })).toThrow(/--start: expected YYYY-MM-DD/);
    expect(() => parseWindow({ start: "2026-02-30" })).toThrow(/--start: expected YYYY-MM-DD/);
    expect(() => parseWindow({ date: "2026-11-20 10:00" })).toThrow(/--date: expected YYYY-MM-DD/);
    expect(() => parseWindow({ date: "2026-11-20", start: "2026-11-19" })).toThrow(/cannot be combined/);
    expect(() => parseWindow({ end: "2026-11-19" })).toThrow(/--end needs --start/);
    expect(() => parseWindow({ start: "2026-11-20", end: "2026-11-19" })).toThrow(/after --start/);
    expect(() => parseRunArgs({ vars: "[1, 2]" })).toThrow(/--vars: expected a mapping/);
  });

  it("a window starting now or later is a usage error, by the clock given (before any run is recorded)", () => {
    const now = new Date("2026-11-20T10:00:00Z");
    const future = /--start is in the future: .* \(UTC now 2026-11-20 10:00\)/;
    expect(() => parseWindow({ date: "2026-11-21" }, now)).toThrow(future);
    expect(() => parseWindow({ start: "2026-11-20 10:00" }, now)).toThrow(future);
    expect(() => parseRunArgs({ date: "2026-11-21" }, now)).toThrow(future);
    const error = (() => {
      try {
        parseRunArgs({ start: "2026-11-21", end: "2026-11-22" }, now);
      } catch (e) {
        return e as { exitCode?: number; hint?: string };
      }
    })();
    expect(error?.exitCode).toBe(2);
    expect(error?.hint).toBe("--date and --start take UTC days or times up to now");
    // Today, and a backfill whose end is still to come, are fine.
    expect(parseWindow({ date: "2026-11-20" }, now).start?.toISOString()).toBe("2026-11-20T00:00:00.000Z");
    expect(parseRunArgs({ start: "2026-11-19", end: "2026-11-25" }, now).start).toBeDefined();
  });

  it("--date is one UTC day; nothing is incremental", () => {
    const w = parseWindow({ date: "2026-11-20" });
    expect(w.start?.toISOString()).toBe("2026-11-20T00:00:00.000Z");
    expect(w.end?.toISOString()).toBe("2026-11-21T00:00:00.000Z");
    expect(parseWindow({})).toEqual({});
  });

  it("splits selections and reads vars as YAML or JSON", () => {
    const o = parseRunArgs({ select: "a, +b tag:x", exclude: "c", vars: '{"since": "2024-01-01", n: 3}' });
    expect(o.select).toEqual(["a", "+b", "tag:x"]);
    expect(o.exclude).toEqual(["c"]);
    expect(o.vars).toEqual({ since: "2024-01-01", n: 3 });
  });
});

describe("daysOf", () => {
  it("lists the UTC days a window touches; an end at midnight does not touch that day", () => {
    const d = (s: string) => new Date(s);
    expect(daysOf(d("2026-11-20T00:00:00Z"), d("2026-11-21T00:00:00Z"))).toEqual(["2026-11-20"]);
    expect(daysOf(d("2026-11-19T22:00:00Z"), d("2026-11-21T01:30:00Z"))).toEqual([
      "2026-11-19",
      "2026-11-20",
      "2026-11-21",
    ]);
    expect(daysOf(d("2026-11-20T05:00:00Z"), d("2026-11-20T05:00:00Z"))).toEqual([]);
  });
});
