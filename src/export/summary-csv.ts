import type { Row } from "../db/database.ts";
import { isoDate } from "./column-format.ts";
import type { ExportedColumn } from "./exported-model.ts";
import { formatDay, formatPlain, type Locale } from "./locale.ts";

/**
 * How each locale's spreadsheet programs open a CSV by double-click (docs/adr/0016): Excel and
 * LibreOffice in a Russian locale split on `;` (the comma is their decimal mark) and read 44,62% and
 * 02.12.2026 as a percent and a date; in English on `,`, with 44.62% and ISO dates.
 */
const STYLE: Record<Locale, { separator: string; day: (iso: string) => string }> = {
  ru: { separator: ";", day: (iso) => formatDay(iso, "ru") },
  en: { separator: ",", day: (iso) => iso },
};

function numeric(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

function cell(column: ExportedColumn, value: unknown, locale: Locale): string {
  if (value === null || value === undefined) return "";
  if (column.format === "date" || value instanceof Date) return STYLE[locale].day(isoDate(value));
  const n = column.format === "text" ? undefined : numeric(value);
  if (n === undefined) return String(value);
  // A percent keeps the places the model rounded its fraction to (4: 44,62%); no digit grouping.
  if (column.format === "percent") return `${formatPlain(n * 100, locale, 2)}%`;
  return formatPlain(n, locale);
}

function field(text: string, separator: string): string {
  return text.includes(separator) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The exported model's rows as a CSV a reader opens in a spreadsheet: headed by the columns' labels
 * in the locale, values written for that locale's spreadsheet programs; UTF-8 with a BOM (so the
 * Cyrillic header is read as UTF-8) and CRLF line ends.
 */
export function summaryCsv(columns: readonly ExportedColumn[], rows: readonly Row[], locale: Locale): string {
  const { separator } = STYLE[locale];
  const line = (cells: string[]) => `${cells.map((c) => field(c, separator)).join(separator)}\r\n`;
  return `\uFEFF${line(columns.map((c) => c.label[locale]))}${rows
    .map((r) => line(columns.map((c) => cell(c, r[c.name], locale))))
    .join("")}`;
}
