import { EltError, errorMessage, isEltError } from "../errors.ts";
import { maskSecrets } from "../log/mask.ts";
import { withRetries } from "../net/with-retries.ts";
import { type ExportKind, recordExport } from "./export-ledger.ts";

export interface DeliveryOptions {
  db: Parameters<typeof recordExport>[0];
  kind: ExportKind;
  /** What is being delivered, for log lines: "Google Sheets", "email". */
  label: string;
  target: string;
  day?: string | undefined;
  runId?: number | undefined;
  /** Retries after the first attempt. */
  retries: number;
  /** First backoff delay; doubled after each failure (with jitter), at most 60 s. */
  delayMs: number;
}

const MAX_DELAY_MS = 60_000;

/**
 * One exporter's delivery through the shared retry loop (src/net/with-retries.ts): every attempt
 * becomes a row in elt.exports. A configuration error is rethrown as it is (exit 2); any other
 * last failure as an EltError (exit 1) with the cause, masked.
 */
export async function deliverExport<T>(
  options: DeliveryOptions,
  fn: (attempt: number) => Promise<T>,
): Promise<T> {
  const ledger = { kind: options.kind, day: options.day, runId: options.runId, target: options.target };
  let started = performance.now();
  let attempts = 0;
  try {
    return await withRetries(
      {
        label: options.label,
        retries: options.retries,
        baseDelayMs: options.delayMs,
        maxDelayMs: MAX_DELAY_MS,
      },
      async (attempt) => {
        attempts = attempt;
        started = performance.now();
        const value = await fn(attempt);
        await recordExport(options.db, {
          ...ledger,
          status: "success",
          attempts: attempt,
          ms: performance.now() - started,
        });
        return value;
      },
      {
        onFailure: (error, attempt) =>
          recordExport(options.db, {
            ...ledger,
            status: "failed",
            attempts: attempt,
            ms: performance.now() - started,
            error: maskSecrets(errorMessage(error)).replace(/\.$/, ""),
          }),
      },
    );
  } catch (error) {
    if (isEltError(error) && error.exitCode === 2) throw error;
    const message = maskSecrets(errorMessage(error)).replace(/\.$/, "");
    const tries = attempts <= 1 ? "" : ` after ${attempts} attempts`;
    throw new EltError(`${options.label} export failed${tries}: ${message}`, {
      code: "EXPORT_FAILED",
      exitCode: 1,
      cause: new Error(message),
    });
  }
}
