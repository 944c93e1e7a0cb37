import { errorMessage } from "../errors.ts";
import { log } from "./logger.ts";
import { formatDuration } from "./timestamp.ts";

export interface StageResult<T> {
  value: T;
  ms: number;
}

/**
 * Logs a stage's start and its end with the duration (or ERROR with the cause), returning the
 * value and the elapsed time so callers can record it in a ledger.
 */
export async function stage<T>(
  label: string,
  fn: () => Promise<T>,
  summarize?: (value: T) => string,
): Promise<StageResult<T>> {
  const started = performance.now();
  log.info(`${label}: started`);
  try {
    const value = await fn();
    const ms = performance.now() - started;
    const summary = summarize ? `${summarize(value)} ` : "";
    log.info(`${label}: done ${summary}(${formatDuration(ms)})`);
    return { value, ms };
  } catch (error) {
    const ms = performance.now() - started;
    log.error(`${label}: failed after ${formatDuration(ms)}: ${errorMessage(error)}`);
    throw error;
  }
}
