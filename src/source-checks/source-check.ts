/** pass, or the severity a check failed with. */
export type CheckStatus = "pass" | "warn" | "error";

/** One row of elt.source_checks: a check's outcome for a load (or, for freshness, a run). */
export interface SourceCheckResult {
  /** The relation checked, `schema.table`. */
  source: string;
  check: "freshness" | "drift" | "volume" | "rejects" | "outside_window" | "conflicts";
  /** Absent for checks of the run as a whole (freshness). */
  loadId?: number;
  severity: "warn" | "error";
  status: CheckStatus;
  /** What a person reads in the email and `elt status` (names the keys, the hours). */
  message: string;
  detail: Record<string, unknown>;
}
