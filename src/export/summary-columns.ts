/**
 * The columns of grade.daily_summary as people see them in the sheet, the CSV preview and the
 * email: a label per locale and how a value is written. `day` is always the first column: rows are
 * matched (upserted) and sorted by it.
 */
export type Locale = "ru" | "en";

export interface SummaryColumn {
  name: string;
  label: Record<Locale, string>;
  /** Decimal places for fractional values (rates, averages); integers are written as they are. */
  digits?: number;
}

export const KNOWN_COLUMNS: readonly SummaryColumn[] = [
  { name: "day", label: { ru: "Дата", en: "Date" } },
  { name: "attempts", label: { ru: "Попыток", en: "Attempts" } },
  { name: "runs", label: { ru: "Запусков", en: "Runs" } },
  { name: "submits", label: { ru: "Отправок", en: "Submits" } },
  { name: "correct_submits", label: { ru: "Успешных", en: "Correct submits" } },
  { name: "success_rate", label: { ru: "Доля успешных", en: "Success rate" }, digits: 4 },
  { name: "unique_users", label: { ru: "Уникальных пользователей", en: "Unique users" } },
  { name: "users_with_success", label: { ru: "Пользователей с успехом", en: "Users with success" } },
  {
    name: "avg_attempts_per_user",
    label: { ru: "Попыток на пользователя", en: "Attempts per user" },
    digits: 2,
  },
  {
    name: "first_submit_success_rate",
    label: { ru: "Успех с первой отправки", en: "First-submit success rate" },
    digits: 4,
  },
  { name: "peak_hour", label: { ru: "Пиковый час (UTC)", en: "Peak hour (UTC)" } },
  { name: "new_users", label: { ru: "Новых пользователей", en: "New users" } },
];

const BY_NAME = new Map(KNOWN_COLUMNS.map((c) => [c.name, c]));

/** A known column's definition; a column an analyst added to the view is labelled by its name. */
export function summaryColumn(name: string): SummaryColumn {
  return BY_NAME.get(name) ?? { name, label: { ru: name, en: name } };
}

/**
 * The columns to export: the configured ones in their order, else every column of the view with
 * the known ones first in their canonical order. `day` is put first when the list omits it.
 */
export function exportColumns(available: readonly string[], configured?: readonly string[]): SummaryColumn[] {
  let names: string[];
  if (configured && configured.length > 0) {
    names = [...configured];
  } else {
    const known = KNOWN_COLUMNS.map((c) => c.name).filter((n) => available.includes(n));
    names = [...known, ...available.filter((n) => !BY_NAME.has(n))];
  }
  names = ["day", ...names.filter((n) => n !== "day")];
  return names.map(summaryColumn);
}

export type Cell = string | number;

/** A value as a sheet cell: numbers stay numbers (rounded), null is an empty cell, dates are text. */
export function toCell(column: SummaryColumn, value: unknown): Cell {
  if (value === null || value === undefined) return "";
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number") {
    if (column.digits === undefined || Number.isInteger(value)) return value;
    return Number(value.toFixed(column.digits));
  }
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value);
}
