import { basename } from "node:path";
import format from "pg-format";
import type { Queryable } from "../db/database.ts";
import { log } from "../log/logger.ts";
import { formatDuration } from "../log/timestamp.ts";
import type { AuditStep, BuildStep } from "./build-step.ts";
import { failingRows } from "./failing-rows.ts";
import type { BuildPlan, ModelBuild } from "./plan-build.ts";
import { pointAtSource } from "./point-at-source.ts";
import type { TestResult } from "./run-data-tests.ts";
import type { SqlOrigin } from "./sql-origin.ts";

export interface AppliedModel {
  name: string;
  relation: string;
  materialized: string;
  status: "success" | "failed" | "skipped";
  mode: "full" | "incremental";
  rows: number | null;
  ms: number;
  error?: string;
}

export interface AppliedBuild {
  models: AppliedModel[];
  audits: TestResult[];
  /** No model failed and no error-severity audit failed: the caller may COMMIT. */
  publishable: boolean;
}

export interface ApplyOptions {
  sampleRows: number;
  onModel?: (m: AppliedModel) => void;
  onAudit?: (a: TestResult) => void;
}

class StepFailed extends Error {}

/** The audit at `i` and the audits right after it: one staged relation's audits, run in order. */
function auditBlock(steps: BuildStep[], i: number): AuditStep[] {
  const block: AuditStep[] = [];
  for (let j = i; j < steps.length; j++) {
    const step = steps[j];
    if (step?.kind !== "audit") break;
    block.push(step);
  }
  return block;
}

/**
 * Which of several row tests of one relation have a failing row, in one scan instead of one each:
 * `bool_or` skips NULLs as the tests' WHERE does. Undefined when the scan fails (each test's own SQL
 * then runs, and names its error).
 */
async function screenRows(
  tx: Queryable,
  relation: string,
  tests: AuditStep[],
): Promise<boolean[] | undefined> {
  const columns = tests.map((a, k) => `coalesce(bool_or(${a.screen?.failing}), false) AS f${k}`);
  await tx.query("SAVEPOINT elt_screen");
  try {
    const { rows } = await tx.query<Record<string, boolean>>(
      `SELECT ${columns.join(",\n  ")}\nFROM ${relation}`,
    );
    await tx.query("RELEASE SAVEPOINT elt_screen");
    return tests.map((_, k) => rows[0]?.[`f${k}`] !== false);
  } catch {
    await tx.query("ROLLBACK TO SAVEPOINT elt_screen");
    return undefined;
  }
}

/**
 * The audits of a block, in order. The row tests (AuditStep.screen) of each relation with more than
 * one are screened first in one scan; a screened test without failing rows passes without its own
 * query (sharing the scan's time), the others run their SQL for the count, sample and raw ids.
 */
async function runAudits(tx: Queryable, block: AuditStep[], ctx: StepContext): Promise<void> {
  const passed = new Map<AuditStep, number>();
  const byRelation = new Map<string, AuditStep[]>();
  for (const a of block) {
    if (a.screen) byRelation.set(a.screen.relation, [...(byRelation.get(a.screen.relation) ?? []), a]);
  }
  for (const [relation, tests] of byRelation) {
    if (tests.length < 2) continue;
    const started = performance.now();
    const failing = await screenRows(tx, relation, tests);
    const share = (performance.now() - started) / tests.length;
    for (const [k, t] of tests.entries()) if (failing?.[k] === false) passed.set(t, share);
  }
  for (const step of block) {
    const ms = passed.get(step);
    const result: TestResult =
      ms !== undefined
        ? { ...auditOf(step), status: "pass", failures: 0, sample: [], ms }
        : await runAudit(tx, step, ctx.sampleRows);
    ctx.audits.push(result);
    if (result.status !== "pass" && step.severity === "error") {
      ctx.failedAudits.push(
        `audit ${step.name} ${result.status === "error" ? `could not run: ${result.error}` : `failed: ${result.failures} failing row${result.failures === 1 ? "" : "s"}`}`,
      );
    }
  }
}

async function runSteps(tx: Queryable, steps: BuildStep[], ctx: StepContext): Promise<void> {
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as BuildStep;
    if (step.kind === "audit") {
      const block = auditBlock(steps, i);
      await runAudits(tx, block, ctx);
      i += block.length - 1;
      continue;
    }
    // The audits of one staged relation all run; a failure stops the model before it publishes.
    if (ctx.failedAudits.length > 0) throw new StepFailed(ctx.failedAudits.join("; "));
    if (step.kind === "try") {
      await tx.query("SAVEPOINT elt_try");
      try {
        await tx.query(step.sql);
        await tx.query("RELEASE SAVEPOINT elt_try");
      } catch {
        await tx.query("ROLLBACK TO SAVEPOINT elt_try");
        await runSteps(tx, step.otherwise, ctx);
      }
      continue;
    }
    try {
      const started = performance.now();
      const r = await tx.query(step.sql);
      // Which step of a slow model took the time, without a profiler: `--log-level debug`.
      log.debug(
        `  ${basename(ctx.origin.file)}: ${step.label} (${formatDuration(performance.now() - started)})`,
      );
      // The fill or merge says its row count in the command tag.
      if (step.rows) ctx.rows = r.rowCount;
    } catch (error) {
      throw new StepFailed(pointAtSource(error, step.sql, ctx.origin, step.failure));
    }
  }
}

interface StepContext {
  /** The model's file and renderings: a step's error points there. */
  origin: SqlOrigin;
  sampleRows: number;
  audits: TestResult[];
  failedAudits: string[];
  rows: number | null;
}

/** The primary key values of the source rows the failing rows came from (their watermark values). */
async function traceRows(
  tx: Queryable,
  step: AuditStep,
  sample: Record<string, unknown>[],
): Promise<number[]> {
  const { traceColumn, traceSource } = step;
  if (!traceColumn || !traceSource) return [];
  const values = sample.flatMap((r) => [r[traceColumn]].flat()).filter((v) => v !== null && v !== undefined);
  if (values.length === 0) return [];
  const source = format("%I.%I", traceSource.schema, traceSource.table);
  const { rows: keys } = await tx.query<{ attname: string }>(
    `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary`,
    [source],
  );
  const key = keys.length === 1 ? keys[0]?.attname : undefined;
  if (!key) return [];
  const { rows } = await tx.query<{ id: string | number }>(
    format("SELECT %I AS id FROM %s WHERE %I = ANY ($1) ORDER BY 1", key, source, traceSource.column),
    [values.map(String)],
  );
  return rows.map((r) => Number(r.id));
}

/** What every result of an audit says of it, whatever its outcome. */
const auditOf = (step: AuditStep) => ({
  name: step.name,
  ...(step.model ? { model: step.model } : {}),
  severity: step.severity,
  scope: step.scope,
});

/** One audit under a savepoint: an audit whose SQL fails is an `error` result, not an aborted build. */
async function runAudit(tx: Queryable, step: AuditStep, sampleRows: number): Promise<TestResult> {
  const base = auditOf(step);
  const started = performance.now();
  await tx.query("SAVEPOINT elt_audit");
  const at = { statement: "" };
  try {
    const { failures, sample } = await failingRows(tx, step.sql, sampleRows, at);
    // Tracing runs queries of its own: an error there has no position in the test's SQL.
    at.statement = "";
    const rawIds = failures > 0 ? await traceRows(tx, step, sample) : [];
    await tx.query("RELEASE SAVEPOINT elt_audit");
    return {
      ...base,
      status: failures > 0 ? "fail" : "pass",
      failures,
      sample,
      ...(rawIds.length > 0 ? { rawIds } : {}),
      ms: performance.now() - started,
    };
  } catch (error) {
    await tx.query("ROLLBACK TO SAVEPOINT elt_audit");
    return {
      ...base,
      status: "error",
      failures: 0,
      sample: [],
      ms: performance.now() - started,
      error: pointAtSource(error, at.statement, step.origin),
    };
  }
}

async function applyModel(tx: Queryable, model: ModelBuild, ctx: StepContext): Promise<string | undefined> {
  await tx.query("SAVEPOINT elt_model");
  try {
    await runSteps(tx, model.steps, ctx);
    if (ctx.failedAudits.length > 0) throw new StepFailed(ctx.failedAudits.join("; "));
    await tx.query("RELEASE SAVEPOINT elt_model");
    return undefined;
  } catch (error) {
    // Its writes are undone now, so the models after it read what was there before.
    await tx.query("ROLLBACK TO SAVEPOINT elt_model");
    if (error instanceof StepFailed) return error.message;
    throw error;
  }
}

/**
 * Applies a build plan inside the caller's transaction: each model under a savepoint (a failing one
 * is undone and its dependants skipped; the others go on, so one run names every problem), its
 * audits on its staged data, then the audits across models. Publishing is the caller's COMMIT.
 */
export async function applyBuild(
  tx: Queryable,
  plan: BuildPlan,
  options: ApplyOptions,
): Promise<AppliedBuild> {
  const models: AppliedModel[] = [];
  const audits: TestResult[] = [];
  const broken = new Map<string, string>();
  for (const model of plan.models) {
    const base = {
      name: model.name,
      relation: model.relation,
      materialized: model.materialized,
      mode: model.mode,
    };
    const upstream = model.deps.find((d) => broken.has(d));
    let result: AppliedModel;
    if (upstream) {
      broken.set(model.name, broken.get(upstream) as string);
      result = {
        ...base,
        status: "skipped",
        rows: null,
        ms: 0,
        error: `upstream ${broken.get(upstream)} failed`,
      };
    } else {
      const started = performance.now();
      const ctx: StepContext = {
        origin: model.origin,
        sampleRows: options.sampleRows,
        audits: [],
        failedAudits: [],
        rows: null,
      };
      const error = await applyModel(tx, model, ctx);
      for (const a of ctx.audits) {
        audits.push(a);
        options.onAudit?.(a);
      }
      if (error !== undefined) broken.set(model.name, model.name);
      result = {
        ...base,
        status: error === undefined ? "success" : "failed",
        rows: error === undefined ? ctx.rows : null,
        ms: performance.now() - started,
        ...(error !== undefined ? { error } : {}),
      };
    }
    models.push(result);
    options.onModel?.(result);
  }
  for (const step of plan.audits) {
    const missing = step.refs.find((r) => broken.has(r));
    const result: TestResult = missing
      ? {
          ...auditOf(step),
          status: "error",
          failures: 0,
          sample: [],
          ms: 0,
          error: `not run: model ${missing} was not built`,
        }
      : await runAudit(tx, step, options.sampleRows);
    audits.push(result);
    options.onAudit?.(result);
  }
  const publishable =
    models.every((m) => m.status === "success") &&
    audits.every((a) => a.status === "pass" || a.severity === "warn");
  return { models, audits, publishable };
}
