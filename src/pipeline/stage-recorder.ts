import { type ExitCode, errorMessage, knownError } from "../errors.ts";
import { log, logWriteError, probeLogFile } from "../log/logger.ts";
import { stage } from "../log/stage.ts";
import type { Notice, RunWarning } from "./notice.ts";
import type { StageRecord } from "./run-ledger.ts";

/** A stage's one-line outcome: text, or a notice the email can word in its locale. */
export type StageSummary = string | Notice;

function record(summary: StageSummary | undefined): Pick<StageRecord, "detail" | "note"> {
  if (summary === undefined) return {};
  if (typeof summary === "string") return { detail: summary };
  return {
    detail: summary.text,
    // Kept in the ledger as JSON: a Date value becomes its ISO text there.
    note: {
      code: summary.code,
      ...(summary.values ? { values: summary.values as Record<string, string | number> } : {}),
    },
  };
}

/**
 * Runs a run's stages one by one, logging each (start, end, duration) and recording its outcome for
 * the ledger and the report. A failing stage is recorded, never thrown: the caller decides what
 * still makes sense to run.
 */
export class StageRecorder {
  readonly stages: StageRecord[] = [];
  readonly failures: string[] = [];
  readonly warnings: RunWarning[] = [];
  /** A configuration mistake (2) or a bug (3) in any stage outranks "finished with failures" (1). */
  exitCode: ExitCode = 1;

  get failed(): boolean {
    return this.failures.length > 0;
  }

  /** The stage's value, or undefined when it failed (`onError` sees the error first). */
  async step<T>(
    name: string,
    fn: () => Promise<T>,
    summarize?: (value: T) => StageSummary,
    onError?: (error: unknown) => void,
  ): Promise<T | undefined> {
    const started = performance.now();
    try {
      let summary: StageSummary | undefined;
      const { value, ms } = await stage(
        name,
        fn,
        summarize &&
          ((v: T) => {
            summary = summarize(v);
            return typeof summary === "string" ? summary : summary.text;
          }),
      );
      this.stages.push({ name, status: "success", ms: Math.round(ms), ...record(summary) });
      return value;
    } catch (error) {
      onError?.(error);
      this.fail(name, error, performance.now() - started);
      return undefined;
    }
  }

  /** Records a failure that happened outside a stage (the stage itself already logged it). */
  fail(name: string, error: unknown, ms = 0): void {
    // A lost database says so (exit 1); only an error nobody expected is a bug (3).
    const known = knownError(error);
    const message = errorMessage(known ?? error);
    this.exitCode = Math.max(this.exitCode, known?.exitCode ?? 3) as ExitCode;
    this.stages.push({ name, status: "failed", ms: Math.round(ms), detail: message });
    // Errors that already say where they come from ("extract: 1 of 2 windows failed …") once.
    this.failures.push(message.startsWith(`${name}: `) ? message : `${name}: ${message}`);
  }

  /**
   * A log folder that stopped taking lines fails the run, once, as "logs: could not write to …",
   * so the ledger, the email and the exit code say so. Probes the file first: a folder that broke
   * since the last line is found too, whichever line would have hit it.
   */
  checkLogFile(): void {
    if (this.stages.some((s) => s.name === "logs")) return;
    probeLogFile();
    const error = logWriteError();
    if (error) this.fail("logs", error);
  }

  /** A stage that ran to the end but whose outcome is a failure (a model or a data test failed). */
  failOutcome(name: string, message: string): void {
    const recorded = this.stages.findLast((s) => s.name === name);
    if (recorded) recorded.status = "failed";
    log.error(`${name}: ${message}`);
    this.failures.push(`${name}: ${message}`);
  }

  skip(name: string, why: StageSummary): void {
    const r = record(why);
    log.warn(`${name}: skipped (${r.detail})`);
    this.stages.push({ name, status: "skipped", ms: 0, ...r });
  }

  /** A warning for the log (its text) and the email (worded by its code). */
  warn(warning: RunWarning): void {
    log.warn(warning.text);
    this.warnings.push(warning);
  }
}
