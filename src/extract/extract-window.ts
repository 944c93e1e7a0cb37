import { setTimeout as sleep } from "node:timers/promises";
import type { Database } from "../db/database.ts";
import { isConnectionError } from "../db/is-connection-error.ts";
import { errorMessage } from "../errors.ts";
import { log } from "../log/logger.ts";
import { maskSecrets } from "../log/mask.ts";
import { formatDuration } from "../log/timestamp.ts";
import { landWindow } from "./land-window.ts";
import { failLoad, finishLoad, type LoadMode, startLoad, type TimeWindow } from "./load-ledger.ts";
import { MalformedBodyError } from "./malformed-body-error.ts";
import { type ApiSettings, openDownload } from "./open-download.ts";
import { type RetrySettings, retryDelay } from "./retry-delay.ts";
import { WindowAttemptError } from "./window-attempt-error.ts";
import { windowLabel } from "./window-label.ts";

export interface WindowSettings {
  api: ApiSettings;
  retry: RetrySettings;
}

export interface WindowOutcome {
  window: TimeWindow;
  loadId: number;
  status: "landed" | "failed";
  httpStatus?: number | undefined;
  records: number;
  inserted: number;
  duplicates: number;
  bytes: number;
  attempts: number;
  ms: number;
  firstRawId: number | null;
  lastRawId: number | null;
  error?: string;
}

const HOUR_MS = 3_600_000;
/** Windows at least this long are expected to hold records. */
const EMPTY_WARN_HOURS = 12;

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** The database connection went away mid-landing: worth a new attempt on a new connection. */
function lostDatabase(error: unknown): boolean {
  return isConnectionError(error) || /connection.*(closed|lost)/i.test(errorMessage(error));
}

/** Any failure of an attempt, in retry terms. */
function asAttemptError(error: unknown): WindowAttemptError {
  if (error instanceof WindowAttemptError) return error;
  if (error instanceof MalformedBodyError) {
    return new WindowAttemptError(`HTTP 200 but ${error.message}`, {
      retriable: true,
      httpStatus: 200,
      cause: error,
    });
  }
  if (lostDatabase(error)) {
    return new WindowAttemptError(`database connection lost while landing: ${errorMessage(error)}`, {
      retriable: true,
      httpStatus: 200,
      cause: error,
    });
  }
  // Anything else from the database (a record that is not valid JSON) will not change on a retry.
  const code = (error as { code?: string })?.code;
  return new WindowAttemptError(
    `landing failed${code ? ` (SQLSTATE ${code})` : ""}: ${errorMessage(error)}`,
    {
      retriable: false,
      httpStatus: 200,
      cause: error,
    },
  );
}

/**
 * Downloads and lands one window, retrying the whole attempt (request, body and landing) on
 * transient failures. Records one ledger row; never throws for a failed window (returns it), only
 * for failures of the ledger itself.
 */
export async function extractWindow(
  db: Database,
  settings: WindowSettings,
  window: TimeWindow,
  options: { forced: boolean; mode: LoadMode } = { forced: false, mode: "backfill" },
): Promise<WindowOutcome> {
  const label = windowLabel(window);
  const loadId = await startLoad(db, window, options);
  const started = performance.now();
  const maxAttempts = settings.retry.retries + 1;
  let last: WindowAttemptError | undefined;
  let bytes = 0;
  let attempt = 0;
  while (attempt < maxAttempts) {
    attempt++;
    const t0 = performance.now();
    log.info(`download ${label} started${attempt > 1 ? ` (attempt ${attempt} of ${maxAttempts})` : ""}`);
    let download: Awaited<ReturnType<typeof openDownload>> | undefined;
    try {
      download = await openDownload(settings.api, window);
      const current = download;
      const landed = await landWindow(db, loadId, window, current.body, (tx, l) =>
        finishLoad(tx, loadId, {
          httpStatus: current.httpStatus,
          records: l.records,
          inserted: l.inserted,
          bytes: current.bytes(),
          firstRawId: l.firstRawId,
          lastRawId: l.lastRawId,
          ms: performance.now() - started,
          attempts: attempt,
        }),
      );
      bytes = current.bytes();
      const duplicates = landed.records - landed.inserted;
      log.info(
        `download ${label} done: ${landed.records} records, ${formatBytes(bytes)} in ${formatDuration(performance.now() - t0)}; landed ${landed.inserted} new, ${duplicates} duplicates (load ${loadId})`,
      );
      // A quiet day can be real, so the window still lands; but a long empty window is more often
      // the vendor's outage, and once landed it is skipped for good.
      const hours = (window.end.getTime() - window.start.getTime()) / HOUR_MS;
      if (landed.records === 0 && hours >= EMPTY_WARN_HOURS) {
        log.warn(
          `API returned no records for a ${Number(hours.toFixed(1))} h window ${label}; it will not be fetched again unless --force`,
        );
      }
      return {
        window,
        loadId,
        status: "landed",
        httpStatus: current.httpStatus,
        records: landed.records,
        inserted: landed.inserted,
        duplicates,
        bytes,
        attempts: attempt,
        ms: performance.now() - started,
        firstRawId: landed.firstRawId,
        lastRawId: landed.lastRawId,
      };
    } catch (error) {
      download?.cancel();
      bytes = download?.bytes() ?? 0;
      last = asAttemptError(error);
      if (!last.retriable || attempt >= maxAttempts) break;
      const delay = retryDelay(attempt, settings.retry, last.retryAfterMs);
      log.warn(
        `download ${label} attempt ${attempt} of ${maxAttempts} failed: ${maskSecrets(last.message)}; retrying in ${formatDuration(delay)}`,
      );
      await sleep(delay);
    }
  }
  const error = maskSecrets(last?.message ?? "unknown failure");
  const ms = performance.now() - started;
  const status = last?.httpStatus;
  log.error(
    `download ${label} failed${status && status !== 200 ? ` with HTTP ${status}` : ""} after ${attempt} attempt${attempt > 1 ? "s" : ""}: ${error}`,
  );
  await failLoad(db, loadId, { httpStatus: status, bytes, ms, attempts: attempt, error });
  return {
    window,
    loadId,
    status: "failed",
    httpStatus: status,
    records: 0,
    inserted: 0,
    duplicates: 0,
    bytes,
    attempts: attempt,
    ms,
    firstRawId: null,
    lastRawId: null,
    error,
  };
}
