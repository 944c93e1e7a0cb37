import type { Database } from "../db/database.ts";
import { isConnectionError } from "../db/is-connection-error.ts";
import { errorMessage } from "../errors.ts";
import { log } from "../log/logger.ts";
import { maskSecrets } from "../log/mask.ts";
import { formatDuration } from "../log/timestamp.ts";
import type { RetrySettings } from "../net/retry-delay.ts";
import { withRetries } from "../net/with-retries.ts";
import { judgeAnswer, type PlausibilitySettings } from "./judge-answer.ts";
import { type Landed, landWindow } from "./land-window.ts";
import type { LandingSettings } from "./landing-settings.ts";
import {
  committedLoad,
  failLoad,
  finishLoad,
  type LoadMode,
  startLoad,
  suspectFetches,
  type TimeWindow,
  volumeBaseline,
} from "./load-ledger.ts";
import { MalformedBodyError } from "./malformed-body-error.ts";
import { type ApiSettings, openDownload } from "./open-download.ts";
import type { Reject } from "./rejects.ts";
import { WindowAttemptError } from "./window-attempt-error.ts";
import { countsOf, type WindowCounts, ZERO_COUNTS } from "./window-counts.ts";
import { windowLabel } from "./window-label.ts";

export interface WindowSettings {
  api: ApiSettings;
  retry: RetrySettings;
  landing: LandingSettings;
  plausibility: PlausibilitySettings;
}

export interface WindowOutcome extends WindowCounts {
  window: TimeWindow;
  loadId: number;
  /** 'suspect': landed, but the answer looked incomplete; the window is fetched again later. */
  status: "landed" | "suspect" | "failed";
  httpStatus?: number | undefined;
  /** Why the answer looked incomplete (also when it was accepted as landed). */
  suspect?: string;
  /** Suspect answers for this exact window so far, this one included. */
  suspectFetches: number;
  expected?: number;
  rejects: Reject[];
  bytes: number;
  attempts: number;
  ms: number;
  firstSeq: number | null;
  lastSeq: number | null;
  error?: string;
}

const HOUR_MS = 3_600_000;

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
  options: { forced: boolean; mode: LoadMode; accept?: boolean; runId?: number | undefined } = {
    forced: false,
    mode: "backfill",
  },
): Promise<WindowOutcome> {
  const label = windowLabel(window);
  const loadId = await startLoad(db, window, options);
  const started = performance.now();
  const maxAttempts = settings.retry.retries + 1;
  let bytes = 0;
  let attempt = 0;
  // One attempt is the request, the body and its landing together: a retry starts them all again.
  const tryOnce = async (n: number): Promise<WindowOutcome> => {
    attempt = n;
    const t0 = performance.now();
    log.info(`download ${label} started${n > 1 ? ` (attempt ${n} of ${maxAttempts})` : ""}`);
    let download: Awaited<ReturnType<typeof openDownload>> | undefined;
    try {
      download = await openDownload(settings.api, window);
      const current = download;
      const hours = (window.end.getTime() - window.start.getTime()) / HOUR_MS;
      let verdict: ReturnType<typeof judgeAnswer> = { warnings: [] };
      let status: "landed" | "suspect" = "landed";
      let fetches = 0;
      // Judged inside the landing transaction: the load's status commits with its records.
      const landed = await landWindow(db, loadId, window, current.body, settings.landing, async (tx, l) => {
        const baseline = await volumeBaseline(tx, window, {
          exceptLoad: loadId,
          minHours: settings.plausibility.judge_hours,
          windows: settings.plausibility.history_windows,
        });
        verdict = judgeAnswer({ ...l, hours }, baseline, settings.plausibility);
        status = verdict.suspect !== undefined && !options.accept ? "suspect" : "landed";
        fetches = (await suspectFetches(tx, window)) + (status === "suspect" ? 1 : 0);
        await finishLoad(tx, loadId, {
          status,
          httpStatus: current.httpStatus,
          ...l,
          expected: verdict.expected,
          suspect: verdict.suspect,
          accepted: verdict.suspect !== undefined && options.accept === true,
          bytes: current.bytes(),
          ms: performance.now() - started,
          attempts: n,
        });
      });
      bytes = current.bytes();
      log.info(
        `download ${label} done: ${landed.records} records, ${formatBytes(bytes)} in ${formatDuration(performance.now() - t0)}; landed ${landed.inserted} new, ${landed.duplicates} duplicates${landed.resent ? `, ${landed.resent} re-sent` : ""}${landed.viaDuplicatePath ? ` (${landed.viaDuplicatePath} through the duplicate path)` : ""} (load ${loadId})`,
      );
      reportLanded(
        label,
        landed,
        verdict,
        options.accept === true,
        fetches,
        settings.plausibility.max_fetches,
      );
      return {
        window,
        loadId,
        status,
        httpStatus: current.httpStatus,
        ...countsOf(landed),
        ...(verdict.suspect !== undefined ? { suspect: verdict.suspect } : {}),
        suspectFetches: fetches,
        ...(verdict.expected !== undefined ? { expected: verdict.expected } : {}),
        rejects: landed.rejects,
        bytes,
        attempts: n,
        ms: performance.now() - started,
        firstSeq: landed.firstSeq,
        lastSeq: landed.lastSeq,
      };
    } catch (error) {
      download?.cancel();
      bytes = download?.bytes() ?? 0;
      // The connection died during COMMIT: the window may have landed. Landing it again would find
      // every record there and overwrite the load's counts with zeros.
      const committed = lostDatabase(error) ? await committedOutcome(db, loadId, window, n) : undefined;
      if (committed) return committed;
      throw asAttemptError(error);
    }
  };
  let last: WindowAttemptError;
  try {
    return await withRetries({ ...settings.retry, label: `download ${label}` }, tryOnce);
  } catch (error) {
    last = asAttemptError(error);
  }
  const error = maskSecrets(last.message);
  const ms = performance.now() - started;
  const status = last.httpStatus;
  log.error(
    `download ${label} failed${status && status !== 200 ? ` with HTTP ${status}` : ""} after ${attempt} attempt${attempt > 1 ? "s" : ""}: ${error}`,
  );
  await failLoad(db, loadId, { httpStatus: status, bytes, ms, attempts: attempt, error });
  return {
    window,
    loadId,
    status: "failed",
    httpStatus: status,
    ...ZERO_COUNTS,
    rejects: [],
    firstSeq: null,
    lastSeq: null,
    suspectFetches: 0,
    bytes,
    attempts: attempt,
    ms,
    error,
  };
}

/** The outcome of a load whose landing committed though its caller lost the connection; else undefined. */
async function committedOutcome(
  db: Database,
  loadId: number,
  window: TimeWindow,
  attempt: number,
): Promise<WindowOutcome | undefined> {
  const row = await committedLoad(db, loadId).catch(() => undefined);
  if (!row) return undefined;
  log.warn(
    `window ${windowLabel(window)}: the connection was lost after the landing committed (load ${loadId})`,
  );
  return {
    window,
    loadId,
    status: row.status === "suspect" ? "suspect" : "landed",
    httpStatus: row.http_status ?? undefined,
    records: Number(row.records),
    inserted: Number(row.inserted),
    duplicates: Number(row.duplicates),
    resent: Number(row.resent),
    rejected: Number(row.rejected),
    nonObjects: Number(row.non_objects),
    outside: Number(row.outside),
    conflicts: Number(row.conflicts),
    ...(row.suspect ? { suspect: row.suspect } : {}),
    suspectFetches: row.status === "suspect" ? await suspectFetches(db, window).catch(() => 1) : 0,
    ...(row.expected != null ? { expected: Number(row.expected) } : {}),
    rejects: [],
    bytes: Number(row.bytes),
    attempts: attempt,
    ms: Number(row.ms ?? 0),
    firstSeq: row.first_seq == null ? null : Number(row.first_seq),
    lastSeq: row.last_seq == null ? null : Number(row.last_seq),
  };
}

/** WARNs for what a landed answer held besides records, and for a suspect answer. */
function reportLanded(
  label: string,
  landed: Landed,
  verdict: { suspect?: string; warnings: string[] },
  accepted: boolean,
  fetches: number,
  maxFetches: number,
): void {
  for (const w of verdict.warnings) log.warn(`window ${label}: ${w}`);
  for (const r of landed.rejects) {
    log.warn(
      `window ${label}: element ${r.position} rejected (${r.reason}${r.sqlstate ? `, SQLSTATE ${r.sqlstate}` : ""}): ${r.error}; text starts: ${JSON.stringify(r.text.slice(0, 80))}`,
    );
  }
  if (landed.conflicts > 0) {
    log.warn(
      `window ${label}: ${landed.conflicts} attempt${landed.conflicts > 1 ? "s" : ""} arrived with content different from their latest version; the latest sending wins (raw.api_conflicts)`,
    );
  }
  if (verdict.suspect === undefined) return;
  if (accepted) {
    log.warn(
      `window ${label} looks incomplete (${verdict.suspect}); accepted as landed (--accept-incomplete)`,
    );
  } else if (fetches >= maxFetches) {
    log.error(
      `window ${label} looks incomplete again (${verdict.suspect}): ${fetches} suspect answers, giving up on fetching it by itself`,
    );
  } else {
    log.warn(
      `window ${label} looks incomplete (${verdict.suspect}): its records landed, and the next runs fetch it again (suspect answer ${fetches} of at most ${maxFetches})`,
    );
  }
}
