import type { Queryable } from "../db/database.ts";
import { EltError, errorMessage, isEltError } from "../errors.ts";
import { log } from "../log/logger.ts";
import { maskSecrets } from "../log/mask.ts";
import { formatDuration } from "../log/timestamp.ts";
import { type ExportKind, recordExport } from "./export-ledger.ts";

export interface RetryOptions {
  db: Queryable;
  kind: ExportKind;
  /** What is being delivered, for log lines: "Google Sheets", "email". */
  label: string;
  target: string;
  day?: string;
  runId?: number;
  /** Retries after the first attempt. */
  retries: number;
  /** First backoff delay; doubled after each failure, at most 60 s. */
  delayMs: number;
}

const MAX_DELAY_MS = 60_000;

/** Failures a retry cannot fix: configuration, refused credentials, a request the service rejects. */
export function isPermanent(error: unknown): boolean {
  if (isEltError(error)) return error.exitCode === 2;
  const e = error as { status?: unknown; code?: unknown; responseCode?: unknown };
  const status = typeof e?.status === "number" ? e.status : typeof e?.code === "number" ? e.code : undefined;
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) return true;
  // nodemailer: authentication refused, or no valid recipient.
  return e?.code === "EAUTH" || e?.code === "EENVELOPE";
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one exporter's delivery with retries and exponential backoff; every attempt becomes a row
 * in elt.exports. The last failure is rethrown as an EltError (exit 1) with the cause, masked.
 */
export async function withRetries<T>(options: RetryOptions, fn: (attempt: number) => Promise<T>): Promise<T> {
  const total = options.retries + 1;
  const ledger = { db: options.db, kind: options.kind, day: options.day, runId: options.runId };
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    try {
      const value = await fn(attempt);
      await recordExport(options.db, {
        ...ledger,
        status: "success",
        attempts: attempt,
        ms: performance.now() - started,
        target: options.target,
      });
      return value;
    } catch (error) {
      const message = maskSecrets(errorMessage(error)).replace(/\.$/, "");
      await recordExport(options.db, {
        ...ledger,
        status: "failed",
        attempts: attempt,
        ms: performance.now() - started,
        target: options.target,
        error: message,
      });
      if (isEltError(error) && error.exitCode === 2) throw error;
      if (attempt >= total || isPermanent(error)) {
        const tries = attempt === 1 ? "" : ` after ${attempt} attempts`;
        throw new EltError(`${options.label} export failed${tries}: ${message}`, {
          code: "EXPORT_FAILED",
          exitCode: 1,
          cause: new Error(message),
        });
      }
      const delay = Math.min(options.delayMs * 2 ** (attempt - 1), MAX_DELAY_MS);
      log.warn(
        `${options.label}: attempt ${attempt}/${total} failed: ${message}; retrying in ${formatDuration(delay)}`,
      );
      await sleep(delay);
    }
  }
}
