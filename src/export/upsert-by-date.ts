import type { Cell } from "./column-format.ts";

/** What to write to bring a sheet (or CSV) from `existing` to the merged grid. */
export interface UpsertPlan {
  /** The whole sheet after the upsert: header, day rows sorted by date, then any other rows. */
  grid: Cell[][];
  /** 0-based first row that changes; the write covers it to the end. -1: nothing to write. */
  from: number;
  /** Every change is a new row after the existing ones: an append is enough. */
  appendOnly: boolean;
  updated: number;
  inserted: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

const text = (cell: unknown) => (cell === null || cell === undefined ? "" : String(cell));

function sameRow(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  if (!a || !b) return false;
  const width = Math.max(a.length, b.length);
  for (let i = 0; i < width; i++) if (text(a[i]) !== text(b[i])) return false;
  return true;
}

/**
 * Upserts day rows into a sheet's cells, keyed by the first column (the date): a day already
 * there is replaced in place, a new day is inserted, day rows stay sorted by date and a day is
 * never duplicated. Row 1 is the header (written when absent or different). Rows that are not
 * days (a note or total a person added) are kept after the day rows.
 */
export function upsertByDate(
  existing: readonly (readonly unknown[])[],
  header: readonly Cell[],
  rows: readonly Cell[][],
): UpsertPlan {
  const hasHeader =
    existing.length > 0 && !DAY.test(text(existing[0]?.[0])) && (existing[0]?.length ?? 0) > 0;
  const body = hasHeader ? existing.slice(1) : existing;
  const byDay = new Map<string, unknown[]>();
  const others: unknown[][] = [];
  for (const row of body) {
    const key = text(row[0]);
    if (DAY.test(key)) byDay.set(key, [...row]);
    else others.push([...row]);
  }
  let updated = 0;
  let inserted = 0;
  for (const row of rows) {
    const key = text(row[0]);
    if (byDay.has(key)) updated++;
    else inserted++;
    byDay.set(key, row);
  }
  const days = [...byDay.keys()].sort();
  const grid = [[...header], ...days.map((d) => byDay.get(d) as Cell[]), ...(others as Cell[][])];
  // Keep a row's width at least what was there, so a narrower row clears the old cells.
  for (let i = 0; i < grid.length; i++) {
    const before = existing[i]?.length ?? 0;
    const row = grid[i] as Cell[];
    if (row.length < before) grid[i] = [...row, ...Array<Cell>(before - row.length).fill("")];
  }
  const from = grid.findIndex((row, i) => !sameRow(row, existing[i]));
  return { grid, from, appendOnly: from >= existing.length, updated, inserted };
}
