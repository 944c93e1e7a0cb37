import type { ExportedColumn } from "./exported-model.ts";
import { formatDay, formatDecimal, formatInteger, formatPercent, type Locale } from "./locale.ts";

export type Cell = string | number;

/** Places a percent keeps in the sheet, as a fraction (0.3750): the sheet can show it as it likes. */
const PERCENT_PLACES = 4;

function places(format: string | undefined): number | undefined {
  if (format === "integer" || format === "hour") return 0;
  if (format === "percent") return PERCENT_PLACES;
  const m = /^decimal:(\d+)$/.exec(format ?? "");
  return m ? Number(m[1]) : undefined;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  // numeric arrives as text from pg: a format that rounds makes it a number.
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

export function isoDate(value: unknown): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
}

/** A value as a sheet (or CSV) cell: numbers stay numbers (rounded by the format), null is empty. */
export function toCell(column: ExportedColumn, value: unknown): Cell {
  if (value === null || value === undefined) return "";
  if (column.format === "text") return String(value);
  if (column.format === "date" || value instanceof Date) return isoDate(value);
  const n = asNumber(value);
  if (n === undefined || (typeof value === "string" && column.format === undefined)) return String(value);
  const p = places(column.format);
  if (p === undefined || Number.isInteger(n)) return n;
  return Number(n.toFixed(p));
}

/**
 * A value as the email writes it, in the locale: grouped digits, percents ×100 with one place, an
 * hour as 14:00, "—" for none.
 */
export function displayValue(column: ExportedColumn, value: unknown, locale: Locale): string {
  if (value === null || value === undefined || value === "") return "—";
  if (column.format === "text") return String(value);
  if (column.format === "date" || value instanceof Date) return formatDay(isoDate(value), locale);
  const n = asNumber(value);
  if (n === undefined) return String(value);
  if (column.format === "percent") return formatPercent(n, locale);
  // An hour of the day (0-23) reads as a time: 14:00.
  if (column.format === "hour") return `${String(Math.round(n)).padStart(2, "0")}:00`;
  const p = places(column.format);
  if (p !== undefined) return p === 0 ? formatInteger(n, locale) : formatDecimal(n, locale, p);
  return Number.isInteger(n) ? formatInteger(n, locale) : formatDecimal(n, locale);
}
