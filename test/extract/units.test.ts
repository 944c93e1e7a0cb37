import { describe, expect, it } from "vitest";
import { apiTimestamp, parseUtc, shortUtc } from "../../src/extract/api-timestamp.ts";
import { bodyExcerpt } from "../../src/extract/open-download.ts";
import { boundText } from "../../src/extract/outside-window.ts";
import { planWindows } from "../../src/extract/plan-windows.ts";
import { registerSecret } from "../../src/log/mask.ts";
import { parseRetryAfter } from "../../src/net/retry-after.ts";
import { retryDelay } from "../../src/net/retry-delay.ts";

describe("times", () => {
  it("sends the API's canonical format and reads UTC arguments", () => {
    expect(apiTimestamp(new Date("2023-04-01T12:46:47.860Z"))).toBe("2023-04-01 12:46:47.860000");
    expect(parseUtc("2024-03-01")).toEqual(new Date("2024-03-01T00:00:00Z"));
    expect(parseUtc("2024-03-01 10:30")).toEqual(new Date("2024-03-01T10:30:00Z"));
    expect(parseUtc("2024-03-01T10:30:00+03:00")).toEqual(new Date("2024-03-01T07:30:00Z"));
    expect(parseUtc("2024-02-30")).toBeUndefined();
    expect(parseUtc("2024-13-01")).toBeUndefined();
    expect(parseUtc("tomorrow")).toBeUndefined();
    expect(shortUtc(new Date("2024-03-01T10:30:00Z"))).toBe("2024-03-01 10:30");
    expect(shortUtc(new Date("2024-03-01T10:30:05.250Z"))).toBe("2024-03-01 10:30:05.250");
  });

  it("cuts ranges into windows, the last one shorter", () => {
    const w = planWindows(new Date("2024-03-01T00:00Z"), new Date("2024-03-02T06:00Z"), 12);
    expect(w.map((x) => [x.start.toISOString(), x.end.toISOString()])).toEqual([
      ["2024-03-01T00:00:00.000Z", "2024-03-01T12:00:00.000Z"],
      ["2024-03-01T12:00:00.000Z", "2024-03-02T00:00:00.000Z"],
      ["2024-03-02T00:00:00.000Z", "2024-03-02T06:00:00.000Z"],
    ]);
    expect(planWindows(new Date("2024-03-01"), new Date("2024-03-01"), 24)).toEqual([]);
  });
});

describe("retries", () => {
  const settings = { retries: 5, baseDelayMs: 1000, maxDelayMs: 10_000 };
  it("backs off exponentially with jitter, capped; honours Retry-After up to the cap", () => {
    for (let i = 0; i < 50; i++) {
      const d1 = retryDelay(1, settings);
      const d3 = retryDelay(3, settings);
      expect(d1).toBeGreaterThanOrEqual(500);
      expect(d1).toBeLessThanOrEqual(1000);
      expect(d3).toBeGreaterThanOrEqual(2000);
      expect(d3).toBeLessThanOrEqual(4000);
      expect(retryDelay(10, settings)).toBeLessThanOrEqual(10_000);
    }
    expect(retryDelay(1, settings, 3000)).toBe(3000);
    expect(retryDelay(1, settings, 120_000)).toBe(10_000);
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThan(50_000);
  });

  it("keeps error excerpts short, on one line, without secrets", () => {
    registerSecret("excerpt-secret-42");
    const text = `<html>\n  <body>bad key excerpt-secret-42 ${"x".repeat(500)}</body></html>`;
    const excerpt = bodyExcerpt(text);
    expect(excerpt).not.toContain("excerpt-secret-42");
    expect(excerpt).not.toContain("\n");
    expect(excerpt.length).toBeLessThanOrEqual(201);
  });
});

describe("window bounds as text", () => {
  // How Python's str(datetime) prints a time: no fraction when it is zero, else six digits.
  const pythonText = (micros: number) => {
    const d = new Date(Math.floor(micros / 1000));
    const base = d.toISOString().slice(0, 19).replace("T", " ");
    const frac = micros % 1_000_000;
    return frac === 0 ? base : `${base}.${String(frac).padStart(6, "0")}`;
  };

  it("orders canonical record times exactly as the times themselves, equal ones included", () => {
    const bounds = [
      new Date("2024-01-15T00:00:00.000Z"),
      new Date("2024-01-15T10:20:30.815Z"),
      new Date("2024-01-15T10:20:30.800Z"),
      new Date("2024-01-15T23:59:59.999Z"),
    ];
    for (const b of bounds) {
      const bMicros = b.getTime() * 1000;
      const text = boundText(b);
      for (const delta of [-1_000_001, -1_000_000, -185_000, -1, 0, 1, 15, 185_000, 1_000_000, 1_000_001]) {
        const t = bMicros + delta;
        expect(pythonText(t) < text, `${pythonText(t)} vs ${text}`).toBe(t < bMicros);
        expect(pythonText(t) >= text, `${pythonText(t)} vs ${text}`).toBe(t >= bMicros);
      }
    }
    expect(boundText(new Date("2024-01-15T00:00:00Z"))).toBe("2024-01-15 00:00:00");
    expect(boundText(new Date("2024-01-15T00:00:10.500Z"))).toBe("2024-01-15 00:00:10.5");
  });
});
