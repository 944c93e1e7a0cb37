import type { SourceCheckResult } from "./source-check.ts";

/** What elt.loads says about a load that landed (or landed suspect). */
export interface CheckedLoad {
  id: number;
  status: "landed" | "suspect";
  records: number;
  rejected: number;
  outside: number;
  conflicts: number;
  suspect: string | null;
  accepted: boolean;
  expected: number | null;
  /** Suspect answers for its window so far (this one included), when it was suspect. */
  suspectFetches?: number;
}

/**
 * The extract's own verdicts on a load as check rows (pure), so they are recorded and shown beside
 * freshness and drift. They change nothing: the extract already warned, and failed the run for a
 * window given up (`max_fetches` suspect answers), which is recorded here as an error.
 */
export function landingChecks(source: string, load: CheckedLoad, maxFetches: number): SourceCheckResult[] {
  const row = (
    check: SourceCheckResult["check"],
    failed: boolean,
    message: string,
    detail: Record<string, unknown>,
    severity: "warn" | "error" = "warn",
  ): SourceCheckResult => ({
    source,
    check,
    loadId: load.id,
    severity,
    status: failed ? severity : "pass",
    message,
    detail,
  });
  const givenUp = load.status === "suspect" && (load.suspectFetches ?? 0) >= maxFetches;
  return [
    row(
      "volume",
      load.suspect !== null,
      load.suspect === null
        ? `${load.records} records${load.expected !== null ? `, usually about ${load.expected}` : ""}`
        : `looks incomplete (${load.suspect})${load.accepted ? ", accepted" : givenUp ? ", given up" : ", fetched again later"}`,
      {
        records: load.records,
        expected: load.expected,
        suspect: load.suspect,
        accepted: load.accepted,
        fetches: load.suspectFetches ?? null,
      },
      givenUp ? "error" : "warn",
    ),
    row("rejects", load.rejected > 0, `${load.rejected} elements rejected`, { rejected: load.rejected }),
    row("outside_window", load.outside > 0, `${load.outside} records outside the window`, {
      outside: load.outside,
    }),
    row("conflicts", load.conflicts > 0, `${load.conflicts} attempts re-sent with different content`, {
      conflicts: load.conflicts,
    }),
  ];
}
