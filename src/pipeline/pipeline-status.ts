import type { Queryable } from "../db/database.ts";
import { relationExists } from "../db/relation-exists.ts";
import {
  earliestUncoveredFailure,
  lastWatermark,
  openSuspectWindows,
  type SuspectWindow,
} from "../extract/load-ledger.ts";
import { latestSourceChecks, type SourceCheckRow } from "../source-checks/latest-source-checks.ts";
import { relationColumns } from "../transform/relation-info.ts";
import { lastRuns, type RunRow } from "./run-ledger.ts";

export interface PipelineStatus {
  runs: RunRow[];
  /** End of the newest incremental window landed: the next incremental extract starts here minus the overlap. */
  extractWatermark: Date | null;
  /** A failed incremental window not landed since: the next incremental extract starts there at the latest. */
  pendingGap: { start: Date; end: Date } | null;
  rawRecords: number;
  /** Windows whose answers looked incomplete, not covered since; `givenUp` once runs stopped fetching them. */
  incompleteWindows: (SuspectWindow & { givenUp: boolean })[];
  /** Recent loads whose answers held something besides records: rejects, outside records, conflicts. */
  notableLoads: NotableLoad[];
  /** Per incremental model, the last raw seq (or other watermark value) it has processed. */
  models: { model: string; watermark: number; updated_at: Date }[];
  /** The last run's source checks (freshness, drift, the extract's verdicts), failing ones first. */
  sourceChecks: SourceCheckRow[];
}

export interface NotableLoad {
  id: number;
  window_start: Date;
  window_end: Date;
  status: string;
  records: number;
  rejected: number;
  outside: number;
  conflicts: number;
  suspect: string | null;
}

/** What `elt status` shows; tables a project has not created yet read as empty. */
export async function pipelineStatus(
  db: Queryable,
  limit: number,
  options: { maxFetches: number } = { maxFetches: 3 },
): Promise<PipelineStatus> {
  // `elt status` applies no migrations (it must never run DDL beside a running job): read what exists.
  const runs = (await relationExists(db, "elt.runs")) ? await lastRuns(db, limit) : [];
  let extractWatermark: Date | null = null;
  let pendingGap: PipelineStatus["pendingGap"] = null;
  // A database without migration 0012 has no load modes, hence no incremental watermark yet.
  if ((await relationExists(db, "elt.loads")) && (await relationColumns(db, "elt.loads")).includes("mode")) {
    extractWatermark = (await lastWatermark(db)) ?? null;
    pendingGap = (await earliestUncoveredFailure(db)) ?? null;
  }
  let incompleteWindows: PipelineStatus["incompleteWindows"] = [];
  let notableLoads: NotableLoad[] = [];
  // Migration 0060 (plausible answers, rejects, conflicts) may not be applied yet.
  if (
    (await relationExists(db, "elt.loads")) &&
    (await relationColumns(db, "elt.loads")).includes("suspect")
  ) {
    incompleteWindows = (await openSuspectWindows(db)).map((w) => ({
      ...w,
      givenUp: w.fetches >= options.maxFetches,
    }));
    ({ rows: notableLoads } = await db.query<NotableLoad>(
      `SELECT id, window_start, window_end, status, records, rejected, outside, conflicts, suspect
         FROM elt.loads
        WHERE status IN ('landed', 'suspect')
          AND (rejected > 0 OR outside > 0 OR conflicts > 0 OR suspect IS NOT NULL)
        ORDER BY id DESC LIMIT $1`,
      [limit],
    ));
  }
  let rawRecords = 0;
  if (await relationExists(db, "raw.api_attempts")) {
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM raw.api_attempts");
    rawRecords = rows[0]?.n ?? 0;
  }
  let models: PipelineStatus["models"] = [];
  if (await relationExists(db, "elt.model_state")) {
    ({ rows: models } = await db.query<PipelineStatus["models"][number]>(
      "SELECT model, watermark, updated_at FROM elt.model_state ORDER BY model",
    ));
  }
  const sourceChecks = await latestSourceChecks(db);
  return {
    runs,
    extractWatermark,
    pendingGap,
    rawRecords,
    incompleteWindows,
    notableLoads,
    models,
    sourceChecks,
  };
}
