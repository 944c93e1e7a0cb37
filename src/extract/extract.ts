import type { ProjectConfig } from "../config/project-schema.ts";
import type { Database } from "../db/database.ts";
import { ConfigError } from "../errors.ts";
import { log } from "../log/logger.ts";
import { registerSecret } from "../log/mask.ts";
import { parseUtc, shortUtc } from "./api-timestamp.ts";
import { ExtractFailedError } from "./extract-failed-error.ts";
import { extractWindow, type WindowOutcome, type WindowSettings } from "./extract-window.ts";
import {
  earliestUncoveredFailure,
  failInterruptedLoads,
  isWindowLanded,
  type LoadMode,
  lastLandedEnd,
  lastWatermark,
  openSuspectWindows,
  type SuspectWindow,
  type TimeWindow,
} from "./load-ledger.ts";
import { planWindows } from "./plan-windows.ts";
import { addCounts, type WindowCounts, ZERO_COUNTS } from "./window-counts.ts";
import { windowLabel } from "./window-label.ts";

export { lastWatermark } from "./load-ledger.ts";

export interface ExtractContext {
  db: Database;
  config: ProjectConfig;
}

export interface ExtractProgress {
  /** Windows finished (landed, skipped or failed) so far, and in all. */
  done: number;
  total: number;
  records: number;
  bytes: number;
  window: TimeWindow;
  /** "started" comes before a window's download; the others when it is finished. */
  outcome: "started" | "landed" | "suspect" | "skipped" | "failed";
}

export interface ExtractOptions {
  /**
   * Absent: incremental, from the incremental watermark minus extract.overlap_minutes (or the
   * earliest failed incremental window not landed since, if earlier). Present: a backfill.
   */
  start?: Date;
  /** Absent: now. Never later than now. */
  end?: Date;
  /** Fetch windows even when landed loads already cover them. */
  force?: boolean;
  /** Count answers that look incomplete as landed (a day that really was quiet). */
  acceptIncomplete?: boolean;
  onProgress?: (progress: ExtractProgress) => void;
  /** The `elt run` this extract belongs to, written on each elt.loads row. */
  runId?: number;
  /** The clock, for tests. */
  now?: Date;
}

/** The counts (WindowCounts) add up the landed and suspect windows. */
export interface ExtractResult extends WindowCounts {
  mode: LoadMode;
  windows: number;
  landedWindows: number;
  skippedWindows: number;
  failedWindows: number;
  /** Windows after a failed one that an incremental extract did not attempt (it stops at a gap). */
  notAttemptedWindows: number;
  /** Windows whose answers landed but looked incomplete (fetched again by later runs). */
  suspectWindows: number;
  /** Suspect windows of earlier runs fetched again by this (incremental) extract. */
  repairWindows: number;
  bytes: number;
  /** elt.loads ids written by this call (landed, suspect and failed). */
  loadIds: number[];
  start: Date;
  end: Date;
  /** The raw.api_attempts seq range written by this call (absent when none). */
  firstSeq?: number;
  lastSeq?: number;
  /** Landed and suspect windows of this call whose answers had something worth reporting. */
  notable: WindowOutcome[];
  /** Windows still incomplete that later runs will not fetch by themselves any more. */
  givenUp: SuspectWindow[];
  /** Suspect windows of earlier runs this call fetched again and landed (or found suspect again). */
  repaired: TimeWindow[];
}

const HOUR_MS = 3_600_000;

const progressOf = (r: ExtractResult, done: number, total: number) => ({
  done,
  total,
  records: r.records,
  bytes: r.bytes,
});

function startOfYesterdayUtc(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1));
}

export function windowSettings(config: ProjectConfig): WindowSettings {
  const { api } = config;
  if (!api.client || !api.client_key) {
    throw new ConfigError(`project.yml: api.${api.client ? "client_key" : "client"}: Required to extract`, {
      code: "CONFIG_INVALID",
      hint: "set api.client and api.client_key in project.yml (the shipped one reads ELT_API_CLIENT and ELT_API_CLIENT_KEY)",
    });
  }
  registerSecret(api.client_key);
  return {
    api: {
      url: api.url,
      client: api.client,
      clientKey: api.client_key,
      timeoutMs: api.timeout_seconds * 1000,
      idleTimeoutMs: api.idle_timeout_seconds * 1000,
      deadlineMs: api.deadline_seconds * 1000,
    },
    landing: { keyFields: config.extract.record_key, timeField: config.extract.record_time },
    plausibility: config.extract.plausibility,
    retry: {
      retries: api.retries,
      baseDelayMs: api.retry_base_delay_ms,
      maxDelayMs: api.retry_max_delay_seconds * 1000,
    },
  };
}

/**
 * Where an incremental extract starts: the incremental watermark − overlap (first run: extract.start,
 * else the end of the newest landed backfill − overlap, else yesterday 00:00 UTC), but no later than the earliest failed incremental window that landed
 * loads have not covered since.
 */
async function incrementalStart(db: Database, config: ProjectConfig, now: Date): Promise<Date> {
  const fromWatermark = await watermarkStart(db, config, now);
  const gap = await earliestUncoveredFailure(db);
  if (gap && gap.start < fromWatermark) {
    log.warn(
      `extract: starting at ${windowLabel(gap)}, which an earlier extract failed and nothing has landed since`,
    );
    return gap.start;
  }
  return fromWatermark;
}

async function watermarkStart(db: Database, config: ProjectConfig, now: Date): Promise<Date> {
  const watermark = await lastWatermark(db);
  if (watermark) return new Date(watermark.getTime() - config.extract.overlap_minutes * 60_000);
  if (config.extract.start) {
    const start = parseUtc(config.extract.start);
    if (!start) {
      throw new ConfigError(`project.yml: extract.start: expected YYYY-MM-DD[ HH:MM[:SS]] (UTC)`, {
        code: "CONFIG_INVALID",
      });
    }
    return start;
  }
  // No incremental run yet but backfills (or loads from before incremental mode existed): carry on
  // from the newest of them rather than leave a gap before yesterday.
  const landed = await lastLandedEnd(db);
  if (landed) return new Date(landed.getTime() - config.extract.overlap_minutes * 60_000);
  return startOfYesterdayUtc(now);
}

/**
 * Extracts [start, end) window by window (extract.window_hours), each landed atomically and recorded
 * in elt.loads. Windows already covered by landed loads are skipped unless `force`. In a backfill a
 * failed window does not stop the others; an incremental extract stops at the first failed window
 * (landing later ones would move the watermark past the gap). Either way an ExtractFailedError then
 * names the failed windows. Call it with the project lock held (withProject does): it marks
 * 'running' loads of dead processes failed.
 */
export async function extract(ctx: ExtractContext, options: ExtractOptions = {}): Promise<ExtractResult> {
  const { db, config } = ctx;
  const settings = windowSettings(config);
  const now = options.now ?? new Date();
  if (options.end && !options.start) {
    throw new ConfigError("extract: an end needs a start", { code: "USAGE" });
  }
  // The API has nothing yet: succeeding with "nothing to fetch" would hide a mistyped date.
  if (options.start && options.start >= now) {
    throw new ConfigError(`--start is in the future: ${shortUtc(options.start)} (UTC now ${shortUtc(now)})`, {
      code: "USAGE",
      hint: "--date and --start take UTC days or times up to now",
    });
  }
  const interrupted = await failInterruptedLoads(db);
  if (interrupted > 0)
    log.warn(`${interrupted} load(s) left running by an interrupted extract marked failed`);
  const mode: LoadMode = options.start ? "backfill" : "incremental";
  const start = options.start ?? (await incrementalStart(db, config, now));
  const requestedEnd = options.end ?? now;
  // The API has nothing after now; a window ending in the future would later count as covered.
  const end = new Date(Math.min(requestedEnd.getTime(), now.getTime()));
  if (options.start && options.end && options.start >= options.end) {
    throw new ConfigError("extract: the start must be before the end", { code: "USAGE" });
  }
  const planned = start < end ? planWindows(start, end, config.extract.window_hours) : [];
  const maxFetches = config.extract.plausibility.max_fetches;
  // The nightly run fetches again, by their own bounds, the windows whose answers looked incomplete.
  const suspects = mode === "incremental" ? await openSuspectWindows(db) : [];
  const repairs = suspects.filter((s) => s.fetches < maxFetches).map((s) => s.window);
  const windows = [...repairs, ...planned];
  const result: ExtractResult = {
    mode,
    windows: windows.length,
    landedWindows: 0,
    skippedWindows: 0,
    failedWindows: 0,
    notAttemptedWindows: 0,
    suspectWindows: 0,
    repairWindows: repairs.length,
    ...ZERO_COUNTS,
    bytes: 0,
    loadIds: [],
    start,
    end,
    notable: [],
    givenUp: [],
    repaired: [],
  };
  if (windows.length === 0) {
    log.info(`extract: nothing to fetch (start ${start.toISOString()} is not before ${end.toISOString()})`);
    result.givenUp = await givenUpWindows(db, maxFetches);
    return result;
  }
  const hours = (end.getTime() - start.getTime()) / HOUR_MS;
  if (repairs.length > 0) {
    log.info(
      `extract: fetching again ${repairs.length} window${repairs.length > 1 ? "s" : ""} whose answers looked incomplete: ${repairs.map(windowLabel).join(", ")}`,
    );
  }
  if (planned.length > 0) {
    log.info(
      `extract ${windowLabel({ start, end })}: ${planned.length} window${planned.length > 1 ? "s" : ""} of up to ${config.extract.window_hours} h (${hours.toFixed(hours % 1 ? 1 : 0)} h), ${mode}${options.force ? ", forced" : ""}`,
    );
  }
  const failures: WindowOutcome[] = [];
  let plannedFailed = false;
  let done = 0;
  for (const [index, window] of windows.entries()) {
    const repair = index < repairs.length;
    if (mode === "incremental" && !repair && plannedFailed) {
      result.notAttemptedWindows = windows.length - done;
      log.warn(
        `extract: ${result.notAttemptedWindows} later window${result.notAttemptedWindows > 1 ? "s" : ""} not attempted: an incremental extract stops at a failed window, so the next one starts there`,
      );
      break;
    }
    let outcome: ExtractProgress["outcome"];
    if (!repair && !options.force && (await isWindowLanded(db, window))) {
      log.info(`window ${windowLabel(window)} already landed: skipped`);
      result.skippedWindows++;
      outcome = "skipped";
    } else {
      options.onProgress?.({ ...progressOf(result, done, windows.length), window, outcome: "started" });
      const w = await extractWindow(db, settings, window, {
        forced: options.force ?? false,
        mode,
        accept: options.acceptIncomplete ?? false,
        runId: options.runId,
      });
      result.loadIds.push(w.loadId);
      result.bytes += w.bytes;
      if (w.status === "failed") {
        result.failedWindows++;
        failures.push(w);
        // A failed repair leaves its window to the next run; a failed planned one is a gap.
        if (!repair) plannedFailed = true;
      } else {
        if (w.status === "landed") result.landedWindows++;
        else result.suspectWindows++;
        if (repair) result.repaired.push(window);
        addLanded(result, w);
      }
      outcome = w.status;
    }
    done++;
    options.onProgress?.({ ...progressOf(result, done, windows.length), window, outcome });
  }
  result.givenUp = await givenUpWindows(db, maxFetches);
  const newlyGivenUp = result.notable.filter((w) => w.status === "suspect" && w.suspectFetches >= maxFetches);
  log.info(
    `extract done: ${result.landedWindows} landed, ${result.suspectWindows} suspect, ${result.skippedWindows} skipped, ${result.failedWindows} failed${result.notAttemptedWindows ? `, ${result.notAttemptedWindows} not attempted` : ""}; ${result.records} records, ${result.inserted} new, ${result.duplicates} duplicates${result.resent ? `, ${result.resent} re-sent` : ""}${result.rejected ? `, ${result.rejected} rejected` : ""}${result.conflicts ? `, ${result.conflicts} conflicts` : ""}`,
  );
  if (failures.length > 0 || newlyGivenUp.length > 0)
    throw new ExtractFailedError(result, failures, newlyGivenUp);
  return result;
}

/** Adds a landed or suspect window's counts to the extract's. */
function addLanded(result: ExtractResult, w: WindowOutcome): void {
  addCounts(result, w);
  if (w.firstSeq !== null) result.firstSeq = Math.min(result.firstSeq ?? w.firstSeq, w.firstSeq);
  if (w.lastSeq !== null) result.lastSeq = Math.max(result.lastSeq ?? w.lastSeq, w.lastSeq);
  if (w.suspect !== undefined || w.rejected > 0 || w.outside > 0 || w.conflicts > 0) result.notable.push(w);
}

/** Windows still incomplete after max_fetches suspect answers: only a person can settle them now. */
async function givenUpWindows(db: ExtractContext["db"], maxFetches: number): Promise<SuspectWindow[]> {
  return (await openSuspectWindows(db)).filter((s) => s.fetches >= maxFetches);
}
