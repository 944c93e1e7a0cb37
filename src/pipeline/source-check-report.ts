import type { SourceCheckResult } from "../source-checks/source-check.ts";
import { type Notice, notice } from "./notice.ts";
import type { RunCounts } from "./run-ledger.ts";
import type { StageRecorder } from "./stage-recorder.ts";

/** The checks a project configures; the others are the extract's verdicts, which it reported itself. */
const configured = (r: SourceCheckResult) => r.check === "freshness" || r.check === "drift";

export const describeCheck = (r: SourceCheckResult) =>
  `source check ${r.check} on ${r.source}${r.loadId !== undefined ? ` (load ${r.loadId})` : ""}: ${r.message}`;

/** The stage's one-line summary: `12 checks: 11 pass, 1 warn`. */
export function summarizeChecks(results: SourceCheckResult[]): Notice {
  const n = (s: string) => results.filter((r) => r.status === s).length;
  const parts = [
    `${n("pass")} pass`,
    ...(n("warn") ? [`${n("warn")} warn`] : []),
    ...(n("error") ? [`${n("error")} error`] : []),
  ];
  return notice("source_checks", `${results.length} checks: ${parts.join(", ")}`, {
    checks: results.length,
    warned: n("warn"),
    failed: n("error"),
  });
}

/**
 * A check's warning for the email: freshness says how old the newest record is, drift which keys
 * changed (its findings); anything else by its check's name. The check's own message is the detail.
 */
export function checkWarning(r: SourceCheckResult): Notice {
  const load = r.loadId ?? "";
  if (r.check === "freshness") {
    const age = r.detail.age_hours;
    // The threshold it crossed: the warning's for a warning.
    const limit = r.status === "error" ? r.detail.error_after_hours : r.detail.warn_after_hours;
    return typeof age === "number"
      ? notice(
          "freshness",
          describeCheck(r),
          { source: r.source, hours: Math.round(age * 10) / 10, limit: Number(limit ?? 0) },
          r.message,
        )
      : notice("freshness_none", describeCheck(r), { source: r.source }, r.message);
  }
  if (r.check === "drift") {
    const findings = Array.isArray(r.detail.findings) ? (r.detail.findings as { key?: unknown }[]) : [];
    const keys = [...new Set(findings.map((f) => String(f.key ?? "")).filter(Boolean))];
    return notice(
      "drift",
      describeCheck(r),
      { source: r.source, load, keys: keys.map((k) => `\`${k}\``).join(", "), n: keys.length },
      r.message,
    );
  }
  return notice("source_check", describeCheck(r), { source: r.source, check: r.check, load }, r.message);
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
  for (const r of warned) rec.warn(checkWarning(r));
  if (warned.length > 0) counts.source_checks_warned = warned.length;
  if (failed.length > 0) {
    counts.source_checks_failed = failed.length;
    rec.failOutcome("source checks", failed.map(describeCheck).join("; "));
  }
}
