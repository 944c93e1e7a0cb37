import type { Queryable } from "../db/database.ts";
import { loadReportSql, runReportSql } from "../export/report-sql.ts";
import type { ProjectPlan } from "../transform/plan-project.ts";
import type { RunCounts } from "./run-ledger.ts";

/**
 * The run's counts from the project's accounting SQL (exports.report.landing_counts): its one
 * row's numeric columns, by name (the shipped one: landed, loaded, quarantined, duplicates), for
 * the raw seqs this run wrote. Skipped, with the reason, when the run did not build a model it refs.
 */
export async function landingCounts(
  db: Queryable,
  plan: ProjectPlan,
  file: string,
  seqs: { first: number | null; last: number | null },
): Promise<{ counts: RunCounts } | { skipped: string }> {
  const sql = loadReportSql(plan, file, "exports.report.landing_counts");
  const built = new Set(plan.models.map((m) => m.name));
  const unbuilt = sql.refs.filter((r) => !built.has(r));
  if (unbuilt.length > 0) return { skipped: `this run did not build ${unbuilt.join(", ")}` };
  const [row] = await runReportSql(db, sql, { first_seq: seqs.first, last_seq: seqs.last });
  const counts: Record<string, number> = {};
  for (const [k, v] of Object.entries(row ?? {})) {
    const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
    if (typeof n === "number" && Number.isFinite(n)) counts[k] = n;
  }
  return { counts: counts as RunCounts };
}
