import { RunFailedError } from "../errors.ts";
import type { ExtractResult } from "./extract.ts";
import type { WindowOutcome } from "./extract-window.ts";
import { windowLabel } from "./window-label.ts";

const HINTS = {
  incremental:
    "the next incremental extract (no dates) starts again at the failed window; rerun it once the cause is fixed",
  backfill: "rerun the same command: landed windows are skipped, failed ones are fetched again",
} as const;

/** Thrown when some window failed for good: exit 1, with the counts and the failed windows. */
export class ExtractFailedError extends RunFailedError {
  readonly result: ExtractResult;
  readonly failures: WindowOutcome[];

  constructor(result: ExtractResult, failures: WindowOutcome[]) {
    const list = failures
      .slice(0, 5)
      .map(
        (f) =>
          `${windowLabel(f.window)} (${f.httpStatus && f.httpStatus !== 200 ? `HTTP ${f.httpStatus}` : f.error})`,
      )
      .join(", ");
    const more = failures.length > 5 ? ` and ${failures.length - 5} more` : "";
    const skipped = result.notAttemptedWindows;
    const notAttempted =
      skipped > 0 ? `; ${skipped} later window${skipped > 1 ? "s" : ""} not attempted` : "";
    super(`extract: ${failures.length} of ${result.windows} windows failed: ${list}${more}${notAttempted}`, {
      code: "EXTRACT_FAILED",
      hint: HINTS[result.mode],
    });
    this.name = "ExtractFailedError";
    this.result = result;
    this.failures = failures;
  }
}
