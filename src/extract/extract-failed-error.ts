import { RunFailedError } from "../errors.ts";
import type { ExtractResult } from "./extract.ts";
import type { WindowOutcome } from "./extract-window.ts";
import { windowLabel } from "./window-label.ts";

/** Thrown when some window failed for good (after the others ran): exit 1, with the counts. */
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
    super(`extract: ${failures.length} of ${result.windows} windows failed: ${list}${more}`, {
      code: "EXTRACT_FAILED",
      hint: "rerun the same command: landed windows are skipped, failed ones are fetched again",
    });
    this.name = "ExtractFailedError";
    this.result = result;
    this.failures = failures;
  }
}
