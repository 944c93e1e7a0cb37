import type { Queryable } from "../db/database.ts";
import { relationExists } from "../db/relation-exists.ts";

export interface SourceCheckRow {
  run_id: number | null;
  load_id: number | null;
  source: string;
  check: string;
  severity: "warn" | "error";
  status: "pass" | "warn" | "error";
  message: string | null;
  checked_at: Date;
}

/**
 * The checks of the last time any were recorded (one run's: they share their transaction's
 * checked_at), failing ones first; empty before migration 0080 or before any run checked.
 */
export async function latestSourceChecks(db: Queryable): Promise<SourceCheckRow[]> {
  if (!(await relationExists(db, "elt.source_checks"))) return [];
  const { rows } = await db.query<SourceCheckRow>(
    `SELECT run_id, load_id, source, "check", severity, status, message, checked_at
       FROM elt.source_checks
      WHERE checked_at = (SELECT checked_at FROM elt.source_checks ORDER BY id DESC LIMIT 1)
      ORDER BY CASE status WHEN 'error' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END, id`,
  );
  return rows;
}
