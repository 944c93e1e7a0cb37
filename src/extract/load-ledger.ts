import type { Queryable } from "../db/database.ts";
import { utcTimestampText } from "../db/type-parsers.ts";
import { maskSecrets } from "../log/mask.ts";
import type { KeyTimeSpan } from "./key-time-spans.ts";
import type { WindowCounts } from "./window-counts.ts";

/** A window of the API: start inclusive, end exclusive (UTC). */
export interface TimeWindow {
  start: Date;
  end: Date;
}

/**
 * 'suspect': the records landed, but the answer looked incomplete (judge-answer.ts), so the window
 * does not count as covered and later runs fetch it again.
 */
export type LoadStatus = "running" | "landed" | "suspect" | "failed";

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
  rejected: number;
  non_objects: number;
  outside: number;
  resent: number;
  conflicts: number;
  expected: number | null;
  suspect: string | null;
  accepted: boolean;
  bytes: number;
  first_raw_id: number | null;
  last_raw_id: number | null;
  first_seq: number | null;
  last_seq: number | null;
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
  options: { forced: boolean; mode: LoadMode; runId?: number | undefined },
): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO elt.loads (window_start, window_end, forced, mode, pid, run_id) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING id`,
    [
      utcTimestampText(window.start),
      utcTimestampText(window.end),
      options.forced,
      options.mode,
      process.pid,
      options.runId ?? null,
    ],
  );
  return (rows[0] as { id: number }).id;
}

export interface LandedCounts extends WindowCounts {
  status: "landed" | "suspect";
  httpStatus: number;
  /** The volume the answer was judged against, when it was. */
  expected: number | undefined;
  /** Why the answer looked incomplete (also kept when it was accepted as landed). */
  suspect: string | undefined;
  accepted: boolean;
  bytes: number;
  firstRawId: number | null;
  lastRawId: number | null;
  firstSeq: number | null;
  lastSeq: number | null;
  /** The record times of the keyed records, and their field (migration 0110; key-time-spans.ts). */
  keyTimeField: string | null;
  keyTimes: KeyTimeSpan | undefined;
  ms: number;
  attempts: number;
}

/** Marks the load landed (or suspect): called inside the landing transaction, so both commit together. */
export async function finishLoad(tx: Queryable, id: number, c: LandedCounts): Promise<void> {
  await tx.query(
    `UPDATE elt.loads SET status = $2, http_status = $3, records = $4, inserted = $5, duplicates = $6,
       resent = $7, rejected = $8, non_objects = $9, outside = $10, conflicts = $11, expected = $12,
       suspect = $13, accepted = $14, bytes = $15, first_raw_id = $16, last_raw_id = $17, first_seq = $18,
       last_seq = $19, ms = $20, attempts = $21, key_time_field = $22, key_time_min = $23, key_time_max = $24,
       error = NULL, finished_at = now()
     WHERE id = $1`,
    [
      id,
      c.status,
      c.httpStatus,
      c.records,
      c.inserted,
      c.duplicates,
      c.resent,
      c.rejected,
      c.nonObjects,
      c.outside,
      c.conflicts,
      c.expected ?? null,
      c.suspect ?? null,
      c.accepted,
      c.bytes,
      c.firstRawId,
      c.lastRawId,
      c.firstSeq,
      c.lastSeq,
      Math.round(c.ms),
      c.attempts,
      c.keyTimeField,
      c.keyTimes?.min ?? null,
      c.keyTimes?.max ?? null,
    ],
  );
}

/**
 * The usual volume near a window: the median records per hour (records inside their window, rejects
 * left out) of the `windows` plausible landed loads of at least `minHours` closest in time, within
 * 35 days. Suspect and accepted-suspect loads never count, so a bad day does not lower the bar.
 */
export async function volumeBaseline(
  db: Queryable,
  window: TimeWindow,
  options: { exceptLoad: number; minHours: number; windows: number },
): Promise<{ perHour: number; windows: number } | undefined> {
  const { rows } = await db.query<{ rate: number | null; n: string }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY rate) AS rate, count(*) AS n FROM (
       SELECT (records - rejected - outside)::float8 / (extract(epoch FROM window_end - window_start) / 3600) AS rate
         FROM elt.loads
        WHERE status = 'landed' AND suspect IS NULL AND id <> $1
          AND window_end - window_start >= make_interval(hours => $2)
          AND window_start BETWEEN $3::timestamp - interval '35 days' AND $3::timestamp + interval '35 days'
        ORDER BY abs(extract(epoch FROM window_start - $3::timestamp))
        LIMIT $4
     ) AS nearby`,
    [options.exceptLoad, options.minHours, utcTimestampText(window.start), options.windows],
  );
  const row = rows[0];
  if (!row || row.rate === null || Number(row.n) === 0) return undefined;
  return { perHour: Number(row.rate), windows: Number(row.n) };
}

/** How many answers for exactly this window were suspect so far. */
export async function suspectFetches(db: Queryable, window: TimeWindow): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    "SELECT count(*) AS n FROM elt.loads WHERE status = 'suspect' AND window_start = $1 AND window_end = $2",
    [utcTimestampText(window.start), utcTimestampText(window.end)],
  );
  return Number(rows[0]?.n ?? 0);
}

export interface SuspectWindow {
  window: TimeWindow;
  /** Suspect answers for it so far. */
  fetches: number;
  /** The latest answer's reason. */
  reason: string;
}

/** Windows whose answers were suspect and that no plausible landed load has covered since. */
export async function openSuspectWindows(db: Queryable): Promise<SuspectWindow[]> {
  const { rows } = await db.query<{ window_start: Date; window_end: Date; n: string; reason: string }>(
    `SELECT window_start, window_end, count(*) AS n, (array_agg(suspect ORDER BY id DESC))[1] AS reason
       FROM elt.loads WHERE status = 'suspect'
      GROUP BY window_start, window_end ORDER BY window_start, window_end`,
  );
  const open: SuspectWindow[] = [];
  for (const r of rows) {
    const window = { start: r.window_start, end: r.window_end };
    if (!(await isWindowLanded(db, window))) open.push({ window, fetches: Number(r.n), reason: r.reason });
  }
  return open;
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
export async function isWindowLanded(
  db: Queryable,
  window: TimeWindow,
  /** Also count suspect loads: their records landed, and the repairs look after them. */
  options: { orSuspect?: boolean } = {},
): Promise<boolean> {
  const { rows } = await db.query<{ window_start: Date; window_end: Date }>(
    `SELECT window_start, window_end FROM elt.loads
     WHERE (status = 'landed' OR ($3 AND status = 'suspect')) AND window_end > $1 AND window_start < $2
     ORDER BY window_start`,
    [utcTimestampText(window.start), utcTimestampText(window.end), options.orSuspect === true],
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

/**
 * End of the newest landed window of that mode (any mode when none is given), if one landed. Suspect
 * windows count: their records landed, and they are fetched again by their own bounds.
 */
export async function lastLandedEnd(db: Queryable, mode?: LoadMode): Promise<Date | undefined> {
  const { rows } = await db.query<{ w: Date | null }>(
    "SELECT max(window_end) AS w FROM elt.loads WHERE status IN ('landed', 'suspect') AND ($1::text IS NULL OR mode = $1)",
    [mode ?? null],
  );
  return rows[0]?.w ?? undefined;
}

/**
 * The earliest window an incremental extract failed that landed (or suspect) loads have not covered
 * since, if any: the next incremental extract starts there at the latest, so no gap is left behind.
 * A window whose answer came back suspect is no gap: the repairs fetch it by its own bounds, up to
 * max_fetches, and moving the start back to it would fetch it again every night past that limit.
 */
export async function earliestUncoveredFailure(db: Queryable): Promise<TimeWindow | undefined> {
  const { rows } = await db.query<{ window_start: Date; window_end: Date }>(
    `SELECT f.window_start, f.window_end FROM elt.loads f
     WHERE f.status = 'failed' AND f.mode = 'incremental'
       AND NOT EXISTS (SELECT 1 FROM elt.loads l WHERE l.status IN ('landed', 'suspect')
                       AND l.window_start <= f.window_start AND l.window_end >= f.window_end)
     ORDER BY f.window_start`,
    [],
  );
  for (const r of rows) {
    const window = { start: r.window_start, end: r.window_end };
    if (!(await isWindowLanded(db, window, { orSuspect: true }))) return window;
  }
  return undefined;
}

/** The columns of a LoadRow. */
const LOAD_COLUMNS = `id, window_start, window_end, status, http_status, records, inserted, duplicates, rejected,
  non_objects, outside, resent, conflicts, expected, suspect, accepted, bytes, first_raw_id, last_raw_id,
  first_seq, last_seq, started_at, finished_at, ms, attempts, forced, mode, error`;

/** A load that committed (landed or suspect), with what it recorded; undefined otherwise. */
export async function committedLoad(db: Queryable, id: number): Promise<LoadRow | undefined> {
  const { rows } = await db.query<LoadRow>(
    `SELECT ${LOAD_COLUMNS} FROM elt.loads WHERE id = $1 AND status IN ('landed', 'suspect')`,
    [id],
  );
  return rows[0];
}

/** The latest loads, newest first (for `elt status` and reports). */
export async function recentLoads(db: Queryable, limit = 20): Promise<LoadRow[]> {
  const { rows } = await db.query<LoadRow>(
    `SELECT ${LOAD_COLUMNS} FROM elt.loads ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows;
}
