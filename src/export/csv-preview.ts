import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parse } from "csv-parse/sync";
import type { Cell } from "./column-format.ts";
import { upsertByDate } from "./upsert-by-date.ts";

const BOM = "\uFEFF";

function csvField(cell: Cell): string {
  const s = String(cell);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(grid: readonly (readonly Cell[])[]): string {
  // The BOM makes spreadsheet programs read the Cyrillic header as UTF-8.
  const lines = grid.map((row) => `${row.map(csvField).join(",")}\r\n`);
  return BOM + lines.join("");
}

export function readCsv(path: string): string[][] {
  if (!existsSync(path)) return [];
  return parse(readFileSync(path, "utf8"), { bom: true, relax_column_count: true }) as string[][];
}

/**
 * The sheet's stand-in when no spreadsheet is configured: the same upsert by date into a CSV file,
 * replaced atomically (written beside, then renamed).
 */
export function upsertCsvPreview(
  path: string,
  header: readonly Cell[],
  rows: readonly Cell[][],
): { updated: number; inserted: number } {
  const plan = upsertByDate(readCsv(path), header, rows);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, toCsv(plan.grid));
  renameSync(tmp, path);
  return { updated: plan.updated, inserted: plan.inserted };
}
