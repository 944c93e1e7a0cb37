import { hostname } from "node:os";
import type { Queryable } from "../db/database.ts";
import { utcTimestampText } from "../db/type-parsers.ts";
import { maskSecrets } from "../log/mask.ts";

export type StageStatus = "success" | "failed" | "skipped" | "warn";

export interface StageRecord {
  name: string;
  status: StageStatus;
  ms: number;
  detail?: string;
  /** The detail for the email, worded in its locale (`stage_notes.<code>` in the messages file). */
  note?: { code: string; values?: Record<string, string | number> };
}

export interface RunCounts {
  windows?: number;
  /** Windows whose answers looked incomplete this run (landed, fetched again later). */
  suspect_windows?: number;
  /** Windows given up after extract.plausibility.max_fetches suspect answers. */
  incomplete_windows?: number;
  rejected?: number;
  outside_window?: number;
  conflicts?: number;
  resent?: number;
  landed?: number;
  loaded?: number;
  quarantined?: number;
  duplicates?: number;
  models_failed?: number;
  tests_failed?: number;
  tests_warned?: number;
  exports_failed?: number;
  /** Freshness and drift checks that warned or failed (docs/adr/0011-source-checks.md). */
  source_checks_warned?: number;
  source_checks_failed?: number;
}

export interface RunRow {
  id: number;
  started_at: Date;
  finished_at: Date | null;
  status: "running" | "success" | "failed";
  window_start: Date | null;
  window_end: Date | null;
  stages: StageRecord[];
  counts: RunCounts;
  error: string | null;
}

/**
 * Writes the run's ledger row. The caller holds the project lock, so a row still 'running' belongs
 * to a process that was killed: it is closed as failed first, so nobody waits for it.
 */
export async function startRun(db: Queryable, options: Record<string, unknown>): Promise<number> {
  await db.query(
    `UPDATE elt.runs SET status = 'failed', finished_at = now(),
            error = coalesce(error, 'not finished: the process ended, or lost the database, before it recorded the outcome')
      WHERE status = 'running'`,
  );
  const { rows } = await db.query<{ id: number }>(
    "INSERT INTO elt.runs (options, pid, host) VALUES ($1, $2, $3) RETURNING id",
    [JSON.stringify(options), process.pid, hostname()],
  );
  return (rows[0] as { id: number }).id;
}

export interface RunUpdate {
  status?: RunRow["status"];
  windowStart?: Date;
  windowEnd?: Date;
  stages?: StageRecord[];
  counts?: RunCounts;
  error?: string;
}

/** Records progress; `status` other than running also stamps finished_at. */
export async function updateRun(db: Queryable, id: number, update: RunUpdate): Promise<void> {
  await db.query(
    `UPDATE elt.runs SET
       status = COALESCE($2, status),
       finished_at = CASE WHEN $2 IS NOT NULL AND $2 <> 'running' THEN now() ELSE finished_at END,
       window_start = COALESCE($3, window_start),
       window_end = COALESCE($4, window_end),
       stages = COALESCE($5::jsonb, stages),
       counts = COALESCE($6::jsonb, counts),
       error = COALESCE($7, error)
     WHERE id = $1`,
    [
      id,
      update.status ?? null,
      update.windowStart ? utcTimestampText(update.windowStart) : null,
      update.windowEnd ? utcTimestampText(update.windowEnd) : null,
      update.stages ? JSON.stringify(update.stages) : null,
      update.counts ? JSON.stringify(update.counts) : null,
      update.error ? maskSecrets(update.error) : null,
    ],
  );
}

export async function lastRuns(db: Queryable, limit: number): Promise<RunRow[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT id, started_at, finished_at, status, window_start, window_end, stages, counts, error
       FROM elt.runs ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows;
}
