import type { Queryable } from "../db/database.ts";
import { utcTimestampText } from "../db/type-parsers.ts";
import { maskSecrets } from "../log/mask.ts";

/** A window of the API: start inclusive, end exclusive (UTC). */
export interface TimeWindow {
  start: Date;
  end: Date;
}

export type LoadStatus = "running" | "landed" | "failed";

/** 'incremental': an extract with no dates (the nightly run); only these move the watermark. */
export type LoadMode = "incremental" | "backfill";

export interface LoadRow {
  id: number;
  window_start: Date;
  window_end: Date;
  status: LoadStatus;
  http_status: number | null;
  records: number;
  inserted: number;
  duplicates: number;
  bytes: number;
  first_raw_id: number | null;
  last_raw_id: number | null;
  started_at: Date;
  finished_at: Date | null;
  ms: number | null;
  attempts: number;
  forced: boolean;
  mode: LoadMode;
  error: string | null;
}

/** Writes the 'running' row before the download (in its own transaction), so a kill leaves a trace. */
export async function startLoad(
  db: Queryable,
  window: TimeWindow,
  options: { forced: boolean; mode: LoadMode },
): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO elt.loads (window_start, window_end, forced, mode, pid) VALUES ($1, $2, $3, $4, $5)
     RETURNING id`,
    [utcTimestampText(window.start), utcTimestampText(window.end), options.forced, options.mode, process.pid],
  );
  return (rows[0] as { id: number }).id;
}

export interface LandedCounts {
  httpStatus: number;
  records: number;
  inserted: number;
  bytes: number;
  firstRawId: number | null;
  lastRawId: number | null;
  ms: number;
  attempts: number;
}

/** Marks the load landed: called inside the landing transaction, so both commit together. */
export async function finishLoad(tx: Queryable, id: number, c: LandedCounts): Promise<void> {
  await tx.query(
    `UPDATE elt.loads SET status = 'landed', http_status = $2, records = $3::bigint, inserted = $4::bigint,
       duplicates = $3::bigint - $4::bigint, bytes = $5, first_raw_id = $6, last_raw_id = $7, ms = $8, attempts = $9,
       error = NULL, finished_at = now()
     WHERE id = $1`,
    [
      id,
      c.httpStatus,
      c.records,
      c.inserted,
      c.bytes,
      c.firstRawId,
      c.lastRawId,
      Math.round(c.ms),
      c.attempts,
    ],
  );
}

export interface FailedLoad {
  httpStatus?: number | undefined;
  bytes: number;
  ms: number;
  attempts: number;
  error: string;
}

export async function failLoad(db: Queryable, id: number, f: FailedLoad): Promise<void> {
  await db.query(
    `UPDATE elt.loads SET status = 'failed', http_status = $2, bytes = $3, ms = $4, attempts = $5,
       error = $6, finished_at = now()
     WHERE id = $1`,
    [id, f.httpStatus ?? null, f.bytes, Math.round(f.ms), f.attempts, maskSecrets(f.error).slice(0, 2000)],
  );
}

/**
 * Rows still 'running' belong to a process that died (extract holds the project lock, so no other
 * one is alive): mark them failed so the ledger tells the truth. Returns how many.
 */
export async function failInterruptedLoads(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE elt.loads SET status = 'failed', finished_at = now(),
       error = 'interrupted: the process ended before the window finished'
     WHERE status = 'running'`,
    [],
  );
  return rowCount;
}

/**
 * True when landed loads together cover the whole window: their intervals, merged, leave no gap in
 * [start, end). Nightly runs land overlapping windows cut differently from a later backfill's, so
 * one load rarely spans a backfill window on its own.
 */
export async function isWindowLanded(db: Queryable, window: TimeWindow): Promise<boolean> {
  const { rows } = await db.query<{ window_start: Date; window_end: Date }>(
    `SELECT window_start, window_end FROM elt.loads
     WHERE status = 'landed' AND window_end > $1 AND window_start < $2
     ORDER BY window_start`,
    [utcTimestampText(window.start), utcTimestampText(window.end)],
  );
  let covered = window.start.getTime();
  for (const r of rows) {
    if (r.window_start.getTime() > covered) return false;
    covered = Math.max(covered, r.window_end.getTime());
    if (covered >= window.end.getTime()) return true;
  }
  return covered >= window.end.getTime();
}

/**
 * The end of the latest window landed by an incremental extract: where the next one continues.
 * Backfills never move it, so a `--date` ahead of it cannot make the nightly run skip the days between.
 */
export function lastWatermark(db: Queryable): Promise<Date | undefined> {
  return lastLandedEnd(db, "incremental");
}

/** End of the newest landed window of that mode (any mode when none is given), if one landed. */
export async function lastLandedEnd(db: Queryable, mode?: LoadMode): Promise<Date | undefined> {
  const { rows } = await db.query<{ w: Date | null }>(
    "SELECT max(window_end) AS w FROM elt.loads WHERE status = 'landed' AND ($1::text IS NULL OR mode = $1)",
    [mode ?? null],
  );
  return rows[0]?.w ?? undefined;
}

/**
 * The earliest window an incremental extract failed that landed loads have not covered since, if
 * any: the next incremental extract starts there at the latest, so no gap is left behind.
 */
export async function earliestUncoveredFailure(db: Queryable): Promise<TimeWindow | undefined> {
  const { rows } = await db.query<{ window_start: Date; window_end: Date }>(
    `SELECT f.window_start, f.window_end FROM elt.loads f
     WHERE f.status = 'failed' AND f.mode = 'incremental'
       AND NOT EXISTS (SELECT 1 FROM elt.loads l WHERE l.status = 'landed'
                       AND l.window_start <= f.window_start AND l.window_end >= f.window_end)
     ORDER BY f.window_start`,
    [],
  );
  for (const r of rows) {
    const window = { start: r.window_start, end: r.window_end };
    if (!(await isWindowLanded(db, window))) return window;
  }
  return undefined;
}

/** The latest loads, newest first (for `elt status` and reports). */
export async function recentLoads(db: Queryable, limit = 20): Promise<LoadRow[]> {
  const { rows } = await db.query<LoadRow>(
    `SELECT id, window_start, window_end, status, http_status, records, inserted, duplicates, bytes,
            first_raw_id, last_raw_id, started_at, finished_at, ms, attempts, forced, mode, error
     FROM elt.loads ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows;
}
