import type { Queryable } from "../db/database.ts";
import { errorMessage } from "../errors.ts";
import { log } from "../log/logger.ts";
import type { RunReport } from "./run-report.ts";

interface LastRun {
  id: number;
  status: string;
  window_start: Date | null;
  window_end: Date | null;
  stages: RunReport["stages"] | null;
  counts: RunReport["counts"] | null;
  error: string | null;
}

/**
 * The report for `elt export email` outside a run: the latest run in elt.runs describes it (status,
 * window, stages, counts, error) when that run covers the day; otherwise a plain success report of
 * the day's figures.
 */
export async function standaloneReport(db: Queryable, days: string[]): Promise<RunReport> {
  let run: LastRun | undefined;
  try {
    const { rows } = await db.query<LastRun>(
      `SELECT id, status, window_start, window_end, stages, counts, error FROM elt.runs
        WHERE status <> 'running' ORDER BY id DESC LIMIT 1`,
    );
    run = rows[0];
  } catch (error) {
    log.debug(`no run ledger: ${errorMessage(error)}`);
  }
  const day = days.at(-1);
  const covers =
    run?.window_start && run.window_end && day
      ? run.window_start.getTime() < Date.parse(`${day}T00:00:00Z`) + 86_400_000 &&
        run.window_end.getTime() > Date.parse(`${day}T00:00:00Z`)
      : false;
  if (!run || !covers) return { status: "success", days, counts: {}, stages: [], warnings: [] };
  return {
    status: run.status === "failed" ? "failed" : "success",
    runId: run.id,
    window: run.window_start && run.window_end ? { start: run.window_start, end: run.window_end } : undefined,
    days,
    counts: run.counts ?? {},
    stages: run.stages ?? [],
    warnings: [],
    error: run.error ?? undefined,
  };
}
