import type { SourceCheckResult } from "../source-checks/source-check.ts";
import type { RunCounts } from "./run-ledger.ts";
import type { StageRecorder } from "./stage-recorder.ts";

/** The checks a project configures; the others are the extract's verdicts, which it reported itself. */
const configured = (r: SourceCheckResult) => r.check === "freshness" || r.check === "drift";

export const describeCheck = (r: SourceCheckResult) =>
  `source check ${r.check} on ${r.source}${r.loadId !== undefined ? ` (load ${r.loadId})` : ""}: ${r.message}`;

/** The stage's one-line summary: `12 checks: 11 pass, 1 warn`. */
export function summarizeChecks(results: SourceCheckResult[]): string {
  const n = (s: string) => results.filter((r) => r.status === s).length;
  const parts = [
    `${n("pass")} pass`,
    ...(n("warn") ? [`${n("warn")} warn`] : []),
    ...(n("error") ? [`${n("error")} error`] : []),
  ];
  return `${results.length} checks: ${parts.join(", ")}`;
}

/**
 * Freshness and drift findings into the run: a warning each (the email's warnings), and an error
 * fails the run (ADR 0011: the build and the export still go ahead). The extract's verdicts are
 * left alone: it already warned about them, and failed the run for a window given up.
 */
export function reportSourceChecks(
  rec: StageRecorder,
  counts: RunCounts,
  results: SourceCheckResult[],
): void {
  const own = results.filter(configured);
  const warned = own.filter((r) => r.status === "warn");
  const failed = own.filter((r) => r.status === "error");
  for (const r of warned) rec.warn(describeCheck(r));
  if (warned.length > 0) counts.source_checks_warned = warned.length;
  if (failed.length > 0) {
    counts.source_checks_failed = failed.length;
    rec.failOutcome("source checks", failed.map(describeCheck).join("; "));
  }
}
