import { EltError } from "../errors.ts";
import type { ExtractResult } from "./extract.ts";
import type { WindowOutcome } from "./extract-window.ts";
import { windowLabel } from "./window-label.ts";

const HINTS = {
  incremental:
    "the next incremental extract (no dates) starts again at the failed window; rerun it once the cause is fixed",
  backfill: "rerun the same command: landed windows are skipped, failed ones are fetched again",
  incomplete:
    "the API kept answering these windows with what looks like part of their data: ask the vendor, then " +
    "fetch them again with `elt run --start A --end B` (it also rebuilds and exports those days), or, if the days really were that quiet, " +
    "add --accept-incomplete",
  credentials:
    "the API refused the credentials: check api.client and api.client_key in project.yml " +
    "(the shipped one reads ELT_API_CLIENT and ELT_API_CLIENT_KEY), then rerun",
} as const;

const isAuthFailure = (f: WindowOutcome) => f.httpStatus === 401 || f.httpStatus === 403;

/**
 * Thrown when some window failed for good, or looked incomplete once too often (given up), with the
 * counts and those windows. Exit 1 (the run finished with failures), except when every failure is a
 * 401/403: that is a configuration mistake (wrong client or key), which no rerun fixes, so exit 2.
 */
export class ExtractFailedError extends EltError {
  readonly result: ExtractResult;
  readonly failures: WindowOutcome[];
  readonly givenUp: WindowOutcome[];

  constructor(result: ExtractResult, failures: WindowOutcome[], givenUp: WindowOutcome[] = []) {
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
    const credentials = failures.length > 0 && failures.every(isAuthFailure);
    const parts: string[] = [];
    if (failures.length > 0) {
      parts.push(`${failures.length} of ${result.windows} windows failed: ${list}${more}${notAttempted}`);
    }
    if (givenUp.length > 0) {
      parts.push(
        `${givenUp.length} window${givenUp.length > 1 ? "s" : ""} still incomplete after ${givenUp[0]?.suspectFetches} answers, no longer fetched by itself: ${givenUp
          .map((g) => `${windowLabel(g.window)} (${g.suspect})`)
          .join(", ")}`,
      );
    }
    super(`extract: ${parts.join("; ")}`, {
      code: credentials ? "API_CREDENTIALS" : failures.length > 0 ? "EXTRACT_FAILED" : "EXTRACT_INCOMPLETE",
      exitCode: credentials ? 2 : 1,
      hint: HINTS[credentials ? "credentials" : failures.length > 0 ? result.mode : "incomplete"],
    });
    this.name = "ExtractFailedError";
    this.result = result;
    this.failures = failures;
    this.givenUp = givenUp;
  }
}
