import type { Row } from "../db/database.ts";
import { addDays } from "./add-days.ts";
import { displayValue } from "./column-format.ts";
import type { ExportedColumn } from "./exported-model.ts";
import { formatSigned, type Locale } from "./locale.ts";
import type { Messages } from "./messages.ts";

/** The trailing days the report day is compared with (their median). */
export const BASELINE_DAYS = 7;
/** Fewer days with figures among them than this, and a median would say little: none is shown. */
export const MIN_BASELINE_DAYS = 4;

/** A change as the email writes it: the difference, and (for counts) the relative change under it. */
export interface Change {
  diff: string;
  rel: string;
}

export interface HeadlineRow {
  label: string;
  value: string;
  prev: Change;
  median: Change;
}

const NONE: Change = { diff: "—", rel: "" };

function numeric(value: unknown): number | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function decimals(format: string | undefined): number {
  const m = /^decimal:(\d+)$/.exec(format ?? "");
  return m ? Number(m[1]) : 0;
}

/**
 * How a figure moved from `base`: a percent in percentage points (44,6 % → 46,0 % is +1,4 п. п.),
 * an hour of the day in hours, any other number by its difference and, when the base is not zero,
 * the relative change.
 */
export function change(
  column: ExportedColumn,
  value: number | undefined,
  base: number | undefined,
  locale: Locale,
  messages: Messages,
): Change {
  if (value === undefined || base === undefined) return NONE;
  if (column.format === "text" || column.format === "date") return NONE;
  const d = value - base;
  if (column.format === "percent") {
    return {
      diff: messages.text("percent_points", { n: formatSigned(d * 100, locale, { places: 1 }) }),
      rel: "",
    };
  }
  // An hour of the day moves by hours; a relative change of a time of day means nothing.
  if (column.format === "hour")
    return { diff: messages.text("hours", { n: formatSigned(d, locale) }), rel: "" };
  const diff = formatSigned(d, locale, { places: decimals(column.format) });
  // No relative change from zero, nor for no change at all ("0", not "0 (0,0 %)").
  const rel =
    base === 0 || d === 0 ? "" : formatSigned(d / Math.abs(base), locale, { places: 1, percent: true });
  return { diff, rel };
}

/**
 * The report day's figures, each with its change from the day before and from the median of the
 * BASELINE_DAYS before it. Days without a row are left out of the median (a day the exported model
 * has no row for had no data, which is not the same as a quiet day); fewer than MIN_BASELINE_DAYS
 * such days and the median is not shown.
 */
export function headlineRows(
  columns: readonly ExportedColumn[],
  recent: readonly Row[],
  dateColumn: string,
  day: string,
  locale: Locale,
  messages: Messages,
): HeadlineRow[] {
  const byDay = new Map(recent.map((r) => [String(r[dateColumn]).slice(0, 10), r]));
  const today = byDay.get(day);
  const before = byDay.get(addDays(day, -1));
  const baseline = Array.from({ length: BASELINE_DAYS }, (_, i) => byDay.get(addDays(day, -1 - i))).filter(
    (r): r is Row => r !== undefined,
  );
  return columns
    .filter((c) => c.name !== dateColumn)
    .map((c) => {
      const value = numeric(today?.[c.name]);
      const past = baseline.map((r) => numeric(r[c.name])).filter((n): n is number => n !== undefined);
      const mid = past.length >= MIN_BASELINE_DAYS ? median(past) : undefined;
      return {
        label: c.label[locale],
        value: today ? displayValue(c, today[c.name], locale) : "—",
        prev: change(c, value, numeric(before?.[c.name]), locale, messages),
        median: change(c, value, mid, locale, messages),
      };
    });
}
