import { randomUUID } from "node:crypto";
import { advisoryKey } from "../db/advisory-key.ts";
import type { Database, Queryable } from "../db/database.ts";
import { errorMessage } from "../errors.ts";
import { log } from "../log/logger.ts";
import { formatDuration } from "../log/timestamp.ts";
import { type AppliedModel, applyBuild } from "./apply-build.ts";
import { type LedgerIds, recordModelRun, recordTestResult } from "./build-ledger.ts";
import { readBuildState } from "./build-state.ts";
import { modelFingerprint } from "./model-fingerprint.ts";
import { type BuildPlan, planBuild } from "./plan-build.ts";
import type { ProjectPlan } from "./plan-project.ts";
import { formatTestResult, type TestResult } from "./run-data-tests.ts";

export interface ModelResult extends AppliedModel {
  /** Whether this build's data became visible: the whole build is published, or none of it. */
  published: boolean;
}

export interface BuildOutcome {
  models: ModelResult[];
  /** The audits run before publishing (the selected models' tests on their staged data). */
  audits: TestResult[];
  published: boolean;
}

export interface BuildOptions {
  /** Incremental models are rebuilt from scratch (and their watermark reset). */
  fullRefresh?: boolean;
  /** Run the tests as audits before publishing (default true). */
  audit?: boolean;
  /** Failing rows kept per audit (default 5). */
  sampleRows?: number;
  /** The `elt run` it belongs to, kept on each ledger row. */
  runId?: number;
  onResult?: (result: ModelResult) => void;
}

/** `model grade.x: success, 123 rows (1.2 s)` */
export function formatModelResult(r: ModelResult): string {
  const head = `model ${r.relation}: ${r.status}`;
  if (r.status === "skipped") return `${head} (${r.error ?? "upstream failed"})`;
  if (r.status === "failed") return `${head} after ${formatDuration(r.ms)}: ${r.error}`;
  const what =
    r.rows === null
      ? r.materialized
      : `${r.rows} row${r.rows === 1 ? "" : "s"}${r.mode === "incremental" ? " merged" : ""}`;
  return `${head}, ${what} (${formatDuration(r.ms)})${r.published ? "" : ", not published"}`;
}

/** Takes the locks a build needs in its transaction and reads the state its plan is made from. */
async function begin(
  db: Database,
  tx: Queryable,
  plan: ProjectPlan,
  options: BuildOptions,
): Promise<BuildPlan> {
  // Landing takes the same transaction lock: a merge never sees raw ids allocated by a landing
  // that has not committed yet (its watermark would skip them), even if a process lost its
  // session-level project lock.
  await tx.query("SELECT pg_advisory_xact_lock($1)", [advisoryKey("landing")]);
  // A batch touches a few days but the planner cannot know: JIT would spend a second compiling
  // each statement for milliseconds of work (measured on the daily models). A full build's ANALYZE
  // samples ~3,000 rows (30,000 at the default 100): enough to plan the rest of the build, ~25 ms
  // on 200k rows instead of ~260; autovacuum analyzes the table in full after the commit.
  if (db.kind === "postgres") await tx.query("SET LOCAL jit = off; SET LOCAL default_statistics_target = 10");
  const state = await readBuildState(tx, plan);
  return planBuild(plan, state, { fullRefresh: options.fullRefresh ?? false, audit: options.audit ?? true });
}

/** The build plan for the database's current state, without applying it (`--dry-run`). */
export async function planBuildNow(
  db: Database,
  plan: ProjectPlan,
  options: BuildOptions = {},
): Promise<BuildPlan> {
  let planned: BuildPlan | undefined;
  // Read-only, and rolled back: the plan is the answer.
  await db
    .transaction(async (tx) => {
      await tx.query("SET TRANSACTION READ ONLY");
      const state = await readBuildState(tx, plan);
      planned = planBuild(plan, state, {
        fullRefresh: options.fullRefresh ?? false,
        audit: options.audit ?? true,
      });
      throw new NotPublished();
    })
    .catch((error) => {
      if (!(error instanceof NotPublished)) throw error;
    });
  return planned as BuildPlan;
}

class NotPublished extends Error {}

async function recordAll(
  q: Queryable,
  ids: LedgerIds,
  outcome: BuildOutcome,
  plan: ProjectPlan,
): Promise<void> {
  for (const m of outcome.models) {
    const model = plan.allModels.get(m.name);
    const published = m.published && m.status === "success" && model;
    await recordModelRun(q, ids, published ? { ...m, fingerprint: modelFingerprint(model) } : m);
  }
  for (const a of outcome.audits) await recordTestResult(q, ids, a);
}

function logAudit(a: TestResult): void {
  const line = formatTestResult(a);
  if (a.status === "pass") log.debug(line);
  else if (a.severity === "warn") log.warn(line);
  else log.error(line);
}

/**
 * Write, audit, publish: in one transaction, builds the selected models in order, each writing
 * where readers cannot see it and audited there (materializations/), then publishes everything at
 * once by COMMIT — or nothing, when a model failed or an error-severity audit failed: every
 * relation, watermark and the sheet fed from them stay as they were, and the next build after a fix
 * publishes the same data. The ledger rows are written in the same transaction when published, after
 * the ROLLBACK otherwise. Never throws for a model or audit failure: the caller decides.
 */
export async function buildModels(
  db: Database,
  plan: ProjectPlan,
  options: BuildOptions = {},
): Promise<BuildOutcome> {
  const ids: LedgerIds = {
    invocation: randomUUID(),
    ...(options.runId !== undefined ? { runId: options.runId } : {}),
  };
  let outcome: BuildOutcome | undefined;
  try {
    await db.transaction(async (tx) => {
      const buildPlan = await begin(db, tx, plan, options);
      const applied = await applyBuild(tx, buildPlan, {
        sampleRows: options.sampleRows ?? 5,
        onAudit: logAudit,
      });
      outcome = {
        models: applied.models.map((m) => ({ ...m, published: applied.publishable })),
        audits: applied.audits,
        published: applied.publishable,
      };
      if (!applied.publishable) throw new NotPublished();
      // Published and recorded together: the ledger says published exactly when it was.
      await recordAll(tx, ids, outcome, plan);
    });
  } catch (error) {
    if (!(error instanceof NotPublished)) throw error;
  }
  const done = outcome as BuildOutcome;
  for (const m of done.models) {
    const line = formatModelResult(m);
    if (m.status === "success") log.info(line);
    else if (m.status === "failed") log.error(line);
    else log.warn(line);
    options.onResult?.(m);
  }
  if (!done.published) {
    try {
      await recordAll(db, ids, done, plan);
    } catch (error) {
      log.warn(`could not record the build in elt.model_runs/elt.test_results: ${errorMessage(error)}`);
    }
    if (done.models.length > 0) log.error("nothing published: every relation stays as it was");
  }
  return done;
}
