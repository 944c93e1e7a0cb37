import type { DatabaseContext } from "../cli/project-context.ts";
import { EltError, type ExitCode, errorMessage, exitCodeOf } from "../errors.ts";
import { exportSheets } from "../export/export-sheets.ts";
import type { RunReport } from "../export/run-report.ts";
import { sendReportEmail } from "../export/send-email.ts";
import { type ExtractResult, extract } from "../extract/extract.ts";
import { log } from "../log/logger.ts";
import { stage } from "../log/stage.ts";
import { formatDuration } from "../log/timestamp.ts";
import { buildModels } from "../transform/build-models.ts";
import { planProject } from "../transform/plan-project.ts";
import { runDataTests } from "../transform/run-data-tests.ts";
import { daysOf } from "./days-of.ts";
import { landingCounts } from "./landing-counts.ts";
import { type RunCounts, type StageRecord, startRun, updateRun } from "./run-ledger.ts";
import type { RunOptions } from "./run-options.ts";

export interface RunOutcome {
  runId: number;
  status: "success" | "failed";
  stages: StageRecord[];
  counts: RunCounts;
  days: string[];
  failures: string[];
  warnings: string[];
}

// The shipped project's relations used for the landed/loaded/quarantined counts.
const STAGING_MODEL = "stg_attempts";
const QUARANTINE_MODEL = "lms_grade_quarantine";

/**
 * The nightly job: extract → model build → data tests → exports → email, each a logged stage
 * recorded in the run ledger. A failed stage is recorded and the stages that depend on it are
 * skipped; the failure email goes out and the run ends with RunFailedError (exit 1).
 * The caller holds the project lock and has applied the migrations.
 */
export async function runPipeline(ctx: DatabaseContext, options: RunOptions): Promise<RunOutcome> {
  const { db, config, projectDir } = ctx;
  const started = performance.now();
  const runId = await startRun(db, { ...options });
  log.info(`run ${runId} started`);
  const stages: StageRecord[] = [];
  const failures: string[] = [];
  const warnings: string[] = [];
  const counts: RunCounts = {};
  // A configuration mistake (2) or a bug (3) in any stage outranks "finished with failures" (1).
  let exitCode: ExitCode = 1;

  async function step<T>(name: string, fn: () => Promise<T>, summarize?: (v: T) => string) {
    const t0 = performance.now();
    try {
      const { value, ms } = await stage(name, fn, summarize);
      stages.push({ name, status: "success", ms: Math.round(ms), detail: summarize?.(value) });
      return value;
    } catch (error) {
      const ms = Math.round(performance.now() - t0);
      exitCode = Math.max(exitCode, exitCodeOf(error)) as ExitCode;
      stages.push({ name, status: "failed", ms, detail: errorMessage(error) });
      failures.push(`${name}: ${errorMessage(error)}`);
      return undefined;
    }
  }
  const skip = (name: string, why: string) => {
    log.warn(`${name}: skipped (${why})`);
    stages.push({ name, status: "skipped", ms: 0, detail: why });
  };

  // Compile first: a broken model must not cost a download. Pure, no database.
  const plan = await step("compile models", async () =>
    planProject({
      projectDir,
      config,
      vars: options.vars,
      select: options.select,
      exclude: options.exclude,
    }),
  );

  let extracted: ExtractResult | undefined;
  if (plan) {
    extracted = await step(
      "extract",
      () => extract({ db, config }, { start: options.start, end: options.end, force: options.force }),
      (r) =>
        `${r.records} records in ${r.windows} windows, ${r.inserted} new, ${r.duplicates} already landed`,
    );
    if (extracted) {
      counts.windows = extracted.windows;
      await updateRun(db, runId, { windowStart: extracted.start, windowEnd: extracted.end, counts });
    }
  }

  if (plan && extracted) {
    const models = await step(
      "model build",
      () => buildModels(db, plan, { fullRefresh: options.fullRefresh }),
      (rs) => `${rs.filter((r) => r.status === "success").length}/${rs.length} models built`,
    );
    const failedModels = models?.filter((m) => m.status !== "success") ?? [];
    counts.models_failed = failedModels.length;
    if (failedModels.length > 0) {
      failures.push(`models not built: ${failedModels.map((m) => `${m.name} (${m.status})`).join(", ")}`);
    }

    if (models && failedModels.length === 0) {
      const tests = await step(
        "data tests",
        () => runDataTests(db, plan),
        (ts) => `${ts.filter((t) => t.status === "pass").length}/${ts.length} passed`,
      );
      const failing = tests?.filter((t) => t.status !== "pass") ?? [];
      const errors = failing.filter((t) => t.severity === "error");
      counts.tests_failed = errors.length;
      counts.tests_warned = failing.length - errors.length;
      for (const t of failing.filter((t) => t.severity === "warn")) {
        warnings.push(`test ${t.name}: ${t.failures} failing rows`);
      }
      if (errors.length > 0) failures.push(`data tests failed: ${errors.map((t) => t.name).join(", ")}`);
    } else {
      skip("data tests", "models not built");
    }

    const staging = plan.models.find((m) => m.name === STAGING_MODEL);
    const quarantine = plan.models.find((m) => m.name === QUARANTINE_MODEL);
    if (extracted.firstRawId !== undefined && extracted.lastRawId !== undefined && staging && quarantine) {
      const c = await landingCounts(
        db,
        { staging: staging.quoted, quarantine: quarantine.quoted },
        { first: extracted.firstRawId, last: extracted.lastRawId },
      );
      Object.assign(counts, c);
      log.info(
        `records landed ${c.landed}: loaded ${c.loaded}, quarantined ${c.quarantined}, duplicates ${c.duplicates}`,
      );
    } else if (extracted.inserted === 0) {
      Object.assign(counts, { landed: 0, loaded: 0, quarantined: 0, duplicates: 0 });
    }
  } else {
    skip("model build", plan ? "extract failed" : "models do not compile");
    skip("data tests", "models not built");
  }

  const days = extracted ? daysOf(extracted.start, extracted.end) : [];
  if (options.skipExport) {
    skip("sheets export", "--skip-export");
  } else if (failures.length > 0) {
    skip("sheets export", "the run has failures; the sheet keeps its last good figures");
  } else {
    const sheets = await step(
      "sheets export",
      () => exportSheets(ctx, { days, runId }),
      (r) => (r.status === "skipped" ? "not configured" : `${r.rows} rows to ${r.target}`),
    );
    if (sheets?.status === "skipped") warnings.push("Google Sheets export is not configured");
    counts.exports_failed = sheets ? 0 : 1;
  }

  const status = failures.length > 0 ? "failed" : "success";
  if (options.skipExport) {
    skip("email", "--skip-export");
  } else {
    const report: RunReport = {
      status,
      runId,
      window: extracted ? { start: extracted.start, end: extracted.end } : undefined,
      days,
      counts: { ...counts },
      stages: [...stages],
      warnings,
      error: failures.length > 0 ? failures.join("\n") : undefined,
    };
    const email = await step(
      "email",
      () => sendReportEmail(ctx, report),
      (r) => (r.status === "skipped" ? "not configured" : r.file ? `written to ${r.file}` : "sent"),
    );
    if (!email) counts.exports_failed = (counts.exports_failed ?? 0) + 1;
  }

  const finalStatus = failures.length > 0 ? "failed" : "success";
  await updateRun(db, runId, {
    status: finalStatus,
    stages,
    counts,
    error: failures.length > 0 ? failures.join("\n") : undefined,
  });
  const took = formatDuration(performance.now() - started);
  if (finalStatus === "failed") {
    throw new EltError(`run ${runId} finished with failures (${took}):\n${failures.join("\n")}`, {
      code: "RUN_FAILED",
      exitCode,
      hint: "see the log above; `elt status` shows the ledger",
    });
  }
  log.info(`run ${runId} finished: success (${took})`);
  return { runId, status: finalStatus, stages, counts, days, failures, warnings };
}
