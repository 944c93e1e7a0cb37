import { setTimeout as sleep } from "node:timers/promises";
import type { DatabaseContext } from "../cli/project-context.ts";
import { isConnectionError } from "../db/is-connection-error.ts";
import { EltError, errorMessage } from "../errors.ts";
import type { ExportContext } from "../export/export-context.ts";
import type { Exporter } from "../export/exporters/exporter.ts";
import { EXPORTERS } from "../export/exporters/registry.ts";
import type { RunReport } from "../export/run-report.ts";
import { type ExtractResult, extract } from "../extract/extract.ts";
import { log } from "../log/logger.ts";
import { formatDuration } from "../log/timestamp.ts";
import { runSourceChecks } from "../source-checks/run-source-checks.ts";
import { buildModels } from "../transform/build-models.ts";
import type { ProjectPlan } from "../transform/plan-project.ts";
import { planProject } from "../transform/plan-project.ts";
import { formatTestResult } from "../transform/run-data-tests.ts";
import { daysOf } from "./days-of.ts";
import { landingCounts } from "./landing-counts.ts";
import { extractCounts, landingWarnings } from "./landing-report.ts";
import { notice } from "./notice.ts";
import { type RunCounts, type RunUpdate, type StageRecord, startRun, updateRun } from "./run-ledger.ts";
import type { RunOptions } from "./run-options.ts";
import { reportSourceChecks, summarizeChecks } from "./source-check-report.ts";
import { StageRecorder } from "./stage-recorder.ts";

export interface RunOutcome {
  runId: number;
  status: "success" | "failed";
  stages: StageRecord[];
  counts: RunCounts;
  days: string[];
  failures: string[];
  /** The warnings' log texts (the email words them from their codes). */
  warnings: string[];
}

/** A run that ended with failures after recording and reporting them (ledger row, failure email). */
export const RUN_FAILED = "RUN_FAILED";

interface RunState {
  rec: StageRecorder;
  counts: RunCounts;
  extracted?: ExtractResult;
  /** The compiled project, for the exporters (their model's labels, their report SQL). */
  plan?: ProjectPlan;
}

const byWhen = (when: Exporter["when"]) => [...EXPORTERS.values()].filter((e) => e.when === when);

/**
 * The nightly job: compile → extract → model build (write, audit, publish) → Sheets → email, each a logged
 * stage recorded in the run ledger. A failed stage skips the stages that depend on it; whatever
 * happens (a bug included), the report email goes out and the ledger row is finished. A run with
 * failures ends with an EltError (code RUN_FAILED) whose exit code is the worst stage's.
 * The caller holds the project lock and has applied the migrations.
 */
export async function runPipeline(ctx: DatabaseContext, options: RunOptions): Promise<RunOutcome> {
  const { db } = ctx;
  const started = performance.now();
  const runId = await startRun(db, { ...options });
  log.info(`run ${runId} started`);
  const state: RunState = { rec: new StageRecorder(), counts: {} };
  const { rec, counts } = state;
  try {
    await runStages(ctx, options, runId, state);
  } catch (error) {
    // Outside any stage (a bug, or the database gone between stages): still report and record it.
    log.error(`run ${runId}: ${errorMessage(error)}`);
    rec.fail("run", error);
  }
  // A log folder that broke during the run fails it; the email below says so.
  rec.checkLogFile();

  const extracted = state.extracted;
  const days = extracted ? runDays(extracted) : [];
  const status = rec.failed ? "failed" : "success";
  const always = byWhen("always");
  if (options.skipExport) {
    for (const e of always) rec.skip(e.stage, notice("skip_export", "--skip-export"));
  } else {
    const report: RunReport = {
      status,
      runId,
      window: extracted ? { start: extracted.start, end: extracted.end } : undefined,
      seqs:
        extracted?.firstSeq !== undefined && extracted.lastSeq !== undefined
          ? { first: extracted.firstSeq, last: extracted.lastSeq }
          : undefined,
      days,
      counts: { ...counts },
      stages: [...rec.stages],
      warnings: rec.warnings,
      error: rec.failed ? rec.failures.join("\n") : undefined,
    };
    for (const e of always) {
      const done = await rec.step(
        e.stage,
        () => e.run(exportContext(ctx, state), { days, runId, report }),
        (r) => r.detail,
      );
      if (!done) counts.exports_failed = (counts.exports_failed ?? 0) + 1;
    }
  }

  rec.checkLogFile(); // or during the email: the ledger says so
  const finalStatus = rec.failed ? "failed" : "success";
  await finishRunRow(db, runId, {
    status: finalStatus,
    stages: rec.stages,
    counts,
    error: rec.failed ? rec.failures.join("\n") : undefined,
  });
  const took = formatDuration(performance.now() - started);
  if (rec.failed) {
    throw new EltError(`run ${runId} finished with failures (${took}):\n${rec.failures.join("\n")}`, {
      code: RUN_FAILED,
      exitCode: rec.exitCode,
      hint: "see the log above; `elt status` shows the ledger",
    });
  }
  log.info(`run ${runId} finished: success (${took})`);
  return {
    runId,
    status: finalStatus,
    stages: rec.stages,
    counts,
    days,
    failures: rec.failures,
    warnings: rec.warnings.map((w) => w.text),
  };
}

/**
 * The days a run reports and exports: its window's, and those of the earlier suspect windows it
 * fetched again (their figures have just changed, so their sheet rows must too).
 */
function runDays(extracted: ExtractResult): string[] {
  const days = new Set(daysOf(extracted.start, extracted.end));
  for (const w of extracted.repaired) for (const d of daysOf(w.start, w.end)) days.add(d);
  return [...days].sort();
}

// A database that is back within seconds should not leave the row 'running' for the next run to close.
const FINISH_RETRY_MS = [1_000, 3_000];

/** The run's final ledger update, tried again briefly while the database is unreachable. */
async function finishRunRow(db: DatabaseContext["db"], runId: number, update: RunUpdate): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await updateRun(db, runId, update);
      return;
    } catch (error) {
      const delay = FINISH_RETRY_MS[attempt];
      if (delay === undefined || !isConnectionError(error)) {
        log.error(
          `run ${runId}: the ledger could not be updated: ${errorMessage(error)}; the next run records it as not finished`,
        );
        return;
      }
      await sleep(delay);
    }
  }
}

async function runStages(ctx: DatabaseContext, options: RunOptions, runId: number, state: RunState) {
  const { db, config, projectDir } = ctx;
  const { rec, counts } = state;

  // Compile first: a model an analyst broke must not cost a download. Pure, no database.
  const plan = await rec.step("compile models", async () =>
    planProject({ projectDir, config, vars: options.vars, select: options.select, exclude: options.exclude }),
  );
  if (!plan) {
    rec.skip("extract", notice("not_compiled", "models do not compile"));
    return;
  }
  state.plan = plan;

  // A run that lost its lock (its connection died) must not go on beside another run.
  await ctx.lock?.assertHeld();
  const extractedOk = await rec.step(
    "extract",
    () =>
      extract(
        { db, config },
        {
          start: options.start,
          end: options.end,
          force: options.force,
          acceptIncomplete: options.acceptIncomplete,
          runId,
          ...(options.now ? { now: options.now } : {}),
        },
      ),
    (r) =>
      notice(
        "extract",
        `${r.records} records in ${r.windows} windows, ${r.inserted} new, ${r.duplicates} already landed`,
        { records: r.records, windows: r.windows, inserted: r.inserted, duplicates: r.duplicates },
      ),
    // Some windows may have landed before one failed: the ledger and the report still say which.
    (error) => {
      state.extracted = (error as { result?: ExtractResult }).result;
    },
  );
  if (extractedOk) state.extracted = extractedOk;
  const extracted = state.extracted;
  if (extracted) {
    Object.assign(counts, extractCounts(extracted));
    // Already logged, window by window, as the extract went: only the report needs them now.
    rec.warnings.push(...landingWarnings(extracted));
    await updateRun(db, runId, { windowStart: extracted.start, windowEnd: extracted.end, counts });
  }
  // Windows that landed are built and exported even when another one failed (the run still fails).
  const landedSome = extracted !== undefined && extracted.landedWindows + extracted.suspectWindows > 0;
  if (rec.failed && !landedSome) {
    rec.skip("model build", notice("extract_failed", "extract failed"));
    return;
  }

  // Source checks (ADR 0011): freshness and drift as models/*.yml declare them, and the extract's
  // verdicts, per load in elt.source_checks. An error fails the run; the build and export go on.
  if (extracted) {
    const checked = await rec.step(
      "source checks",
      () =>
        runSourceChecks(db, plan.sourceChecks, {
          loadIds: extracted.loadIds,
          runId,
          // Judged only when the window reaches now: a backfill's end says nothing of freshness.
          ...(options.end ? {} : { freshnessAt: extracted.end }),
          suspectFetches: new Map(extracted.notable.map((w) => [w.loadId, w.suspectFetches])),
          maxFetches: config.extract.plausibility.max_fetches,
        }),
      summarizeChecks,
    );
    if (checked) reportSourceChecks(rec, counts, checked);
  }

  await ctx.lock?.assertHeld();
  // Write, audit, publish: the models' tests run on the new data before it is visible, and a
  // failure publishes nothing (src/transform/build-models.ts).
  const built = await rec.step(
    "model build",
    () => buildModels(db, plan, { fullRefresh: options.fullRefresh, runId }),
    (b) => {
      const values = {
        built: b.models.filter((r) => r.status === "success").length,
        models: b.models.length,
        passed: b.audits.filter((a) => a.status === "pass").length,
        audits: b.audits.length,
      };
      return notice(
        b.published ? "model_build" : "model_build_held",
        `${values.built}/${values.models} models built, ${values.passed}/${values.audits} audits passed, ${b.published ? "published" : "nothing published"}`,
        values,
      );
    },
  );
  const failedModels = built?.models.filter((m) => m.status !== "success") ?? [];
  counts.models_failed = failedModels.length;
  const failing = built?.audits.filter((t) => t.status !== "pass") ?? [];
  const errors = failing.filter((t) => t.severity === "error");
  counts.tests_failed = errors.length;
  counts.tests_warned = failing.length - errors.length;
  for (const t of failing.filter((t) => t.severity === "warn")) {
    rec.warn(
      notice("data_test", `audit ${t.name}${t.model ? ` on ${t.model}` : ""}: ${t.failures} failing rows`, {
        test: t.name,
        model: t.model ?? "",
        rows: t.failures,
        // What shows its failing rows: the model's tests, or all of them.
        command: t.model ? `elt test --select ${t.model}` : "elt test",
      }),
    );
  }
  const held = notice("held", "nothing published; the sheet keeps its last good figures");
  if (!built) {
    for (const e of byWhen("published")) rec.skip(e.stage, held);
    return;
  }
  if (!built.published) {
    const problems = [
      ...failedModels.filter((m) => m.status === "failed").map((m) => `model ${m.name}: ${m.error}`),
      ...errors.map((t) => formatTestResult(t)),
    ];
    rec.failOutcome(
      "model build",
      `nothing published (every model's relation keeps its last good state; raw stays landed):\n${problems.join("\n")}`,
    );
    for (const e of byWhen("published")) rec.skip(e.stage, held);
    return;
  }

  if (extracted) await recordLandingCounts(ctx, plan, extracted, state);

  const published = byWhen("published");
  if (options.skipExport) {
    for (const e of published) rec.skip(e.stage, notice("skip_export", "--skip-export"));
    return;
  }
  const days = extracted ? runDays(extracted) : [];
  const report: RunReport = {
    status: "success",
    runId,
    days,
    counts: { ...counts },
    stages: [],
    warnings: [],
  };
  counts.exports_failed = 0;
  for (const e of published) {
    await ctx.lock?.assertHeld();
    const done = await rec.step(
      e.stage,
      () => e.run(exportContext(ctx, state), { days, runId, report }),
      (r) => r.detail,
    );
    if (done?.status === "skipped") {
      rec.warnings.push(notice("not_configured", `${e.stage}: not configured`, { stage: e.stage }));
    }
    if (!done) counts.exports_failed += 1;
  }
}

/** The exporters' context: the run's database and its compiled plan. */
function exportContext(ctx: DatabaseContext, state: RunState): ExportContext {
  return {
    db: ctx.db,
    config: ctx.config,
    path: ctx.path,
    projectDir: ctx.projectDir,
    ...(state.plan ? { plan: state.plan } : {}),
  };
}

/**
 * The run's accounting (exports.report.landing_counts: landed = loaded + quarantined + duplicates),
 * project SQL over this run's seqs. Only when this run built every model it refs: otherwise they
 * have not seen this run's records yet (bad records would be counted as loaded). A warning if it
 * cannot be read.
 */
async function recordLandingCounts(
  ctx: DatabaseContext,
  plan: ProjectPlan,
  extracted: ExtractResult,
  { rec, counts }: RunState,
): Promise<void> {
  const file = ctx.config.exports.report.landing_counts;
  if (!file) return;
  try {
    const c = await landingCounts(ctx.db, plan, ctx.path(file), {
      first: extracted.firstSeq ?? null,
      last: extracted.lastSeq ?? null,
    });
    if ("skipped" in c) {
      log.info(`landing counts skipped: ${c.skipped}`);
      return;
    }
    Object.assign(counts, c.counts);
    log.info(
      `records ${Object.entries(c.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
  } catch (error) {
    rec.warn(
      notice("landing_counts", `landing counts unavailable: ${errorMessage(error)}`, {}, errorMessage(error)),
    );
  }
}
