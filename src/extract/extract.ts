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
  type TimeWindow,
} from "./load-ledger.ts";
import { planWindows } from "./plan-windows.ts";
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
  outcome: "started" | "landed" | "skipped" | "failed";
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
  onProgress?: (progress: ExtractProgress) => void;
  /** The clock, for tests. */
  now?: Date;
}

export interface ExtractResult {
  mode: LoadMode;
  windows: number;
  landedWindows: number;
  skippedWindows: number;
  failedWindows: number;
  /** Windows after a failed one that an incremental extract did not attempt (it stops at a gap). */
  notAttemptedWindows: number;
  /** Records received in landed windows. */
  records: number;
  /** Records new to raw.api_attempts. */
  inserted: number;
  /** Records received that were already landed. */
  duplicates: number;
  bytes: number;
  /** elt.loads ids written by this call (landed and failed). */
  loadIds: number[];
  start: Date;
  end: Date;
  /** raw.api_attempts ids inserted by this call: min and max (absent when none). */
  firstRawId?: number;
  lastRawId?: number;
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
      hint: "set api.client and api.client_key (e.g. client_key: ${API_CLIENT_KEY})",
    });
  }
  registerSecret(api.client_key);
  return {
    api: {
      url: api.url,
      client: api.client,
      clientKey: api.client_key,
      timeoutMs: api.timeout_seconds * 1000,
    },
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
  const windows = start < end ? planWindows(start, end, config.extract.window_hours) : [];
  const result: ExtractResult = {
    mode,
    windows: windows.length,
    landedWindows: 0,
    skippedWindows: 0,
    failedWindows: 0,
    notAttemptedWindows: 0,
    records: 0,
    inserted: 0,
    duplicates: 0,
    bytes: 0,
    loadIds: [],
    start,
    end,
  };
  if (windows.length === 0) {
    log.info(`extract: nothing to fetch (start ${start.toISOString()} is not before ${end.toISOString()})`);
    return result;
  }
  const hours = (end.getTime() - start.getTime()) / HOUR_MS;
  log.info(
    `extract ${windowLabel({ start, end })}: ${windows.length} window${windows.length > 1 ? "s" : ""} of up to ${config.extract.window_hours} h (${hours.toFixed(hours % 1 ? 1 : 0)} h), ${mode}${options.force ? ", forced" : ""}`,
  );
  const failures: WindowOutcome[] = [];
  let done = 0;
  for (const window of windows) {
    if (mode === "incremental" && failures.length > 0) {
      result.notAttemptedWindows = windows.length - done;
      log.warn(
        `extract: ${result.notAttemptedWindows} later window${result.notAttemptedWindows > 1 ? "s" : ""} not attempted: an incremental extract stops at a failed window, so the next one starts there`,
      );
      break;
    }
    let outcome: ExtractProgress["outcome"];
    if (!options.force && (await isWindowLanded(db, window))) {
      log.info(`window ${windowLabel(window)} already landed: skipped`);
      result.skippedWindows++;
      outcome = "skipped";
    } else {
      options.onProgress?.({ ...progressOf(result, done, windows.length), window, outcome: "started" });
      const w = await extractWindow(db, settings, window, { forced: options.force ?? false, mode });
      result.loadIds.push(w.loadId);
      result.bytes += w.bytes;
      if (w.status === "landed") {
        result.landedWindows++;
        result.records += w.records;
        result.inserted += w.inserted;
        result.duplicates += w.duplicates;
        if (w.firstRawId !== null)
          result.firstRawId = Math.min(result.firstRawId ?? w.firstRawId, w.firstRawId);
        if (w.lastRawId !== null) result.lastRawId = Math.max(result.lastRawId ?? w.lastRawId, w.lastRawId);
      } else {
        result.failedWindows++;
        failures.push(w);
      }
      outcome = w.status;
    }
    done++;
    options.onProgress?.({ ...progressOf(result, done, windows.length), window, outcome });
  }
  log.info(
    `extract done: ${result.landedWindows} landed, ${result.skippedWindows} skipped, ${result.failedWindows} failed${result.notAttemptedWindows ? `, ${result.notAttemptedWindows} not attempted` : ""}; ${result.records} records, ${result.inserted} new, ${result.duplicates} duplicates`,
  );
  if (failures.length > 0) throw new ExtractFailedError(result, failures);
  return result;
}
