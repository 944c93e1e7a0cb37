import { randomUUID } from "node:crypto";
import type { Database } from "../db/database.ts";
import { errorMessage } from "../errors.ts";
import { log } from "../log/logger.ts";
import { formatDuration } from "../log/timestamp.ts";
import { recordTestResult } from "./build-ledger.ts";
import { failingRows } from "./failing-rows.ts";
import type { PlannedTest, ProjectPlan } from "./plan-project.ts";
import { pointAtSource } from "./point-at-source.ts";
import { testOrigin } from "./sql-origin.ts";

export interface TestResult {
  name: string;
  model?: string;
  severity: "error" | "warn";
  /** pass: no failing rows; fail: some; error: the test's SQL itself failed. */
  status: "pass" | "fail" | "error";
  failures: number;
  /** Up to `sampleRows` failing rows. */
  sample: Record<string, unknown>[];
  /** As a build's audit: on what it ran (see TestSpec.scope). Absent for `elt test`. */
  scope?: "batch" | "full";
  /** The source rows (primary keys of the model's watermark_source) the sampled failures came from. */
  rawIds?: number[];
  ms: number;
  error?: string;
}

export interface TestOptions {
  /** Failing rows kept per test (default 5). */
  sampleRows?: number;
  /** The `elt run` it belongs to, kept on each ledger row. */
  runId?: number;
  onResult?: (result: TestResult) => void;
}

/** `test not_null_x_y: fail, 3 failing rows (warn)` plus the sample, one row per line. */
export function formatTestResult(r: TestResult): string {
  const sev = r.severity === "warn" ? " (warn)" : "";
  const head = r.scope ? `audit ${r.name}${r.model ? ` on ${r.model}` : ""} (${r.scope})` : `test ${r.name}`;
  if (r.status === "pass") return `${head}: pass (${formatDuration(r.ms)})`;
  if (r.status === "error") return `${head}: error${sev}: ${r.error}`;
  const rows = r.sample.map((row) => `    ${JSON.stringify(row)}`);
  const more = r.failures > r.sample.length ? [`    … ${r.failures - r.sample.length} more`] : [];
  const raw = r.rawIds?.length ? [`    raw ids: ${r.rawIds.join(", ")}`] : [];
  return [
    `${head}: fail, ${r.failures} failing row${r.failures === 1 ? "" : "s"}${sev}`,
    ...rows,
    ...more,
    ...raw,
  ].join("\n");
}

async function runOne(db: Database, test: PlannedTest, sampleRows: number): Promise<TestResult> {
  const base = { name: test.name, ...(test.model ? { model: test.model } : {}), severity: test.severity };
  const started = performance.now();
  const sql = test.sql.replace(/[\s;]+$/, "");
  const at = { statement: "" };
  try {
    // One snapshot for the sample and the count.
    const { failures, sample } = await db.transaction((tx) => failingRows(tx, sql, sampleRows, at));
    return {
      ...base,
      status: failures > 0 ? "fail" : "pass",
      failures,
      sample,
      ms: performance.now() - started,
    };
  } catch (error) {
    return {
      ...base,
      status: "error",
      failures: 0,
      sample: [],
      ms: performance.now() - started,
      error: pointAtSource(error, at.statement, testOrigin(test)),
    };
  }
}

/**
 * Runs the plan's data tests (each query returns the failing rows), logs each result with a
 * sample of failures, and records them in elt.test_results. Never throws for a failing test.
 */
export async function runDataTests(
  db: Database,
  plan: ProjectPlan,
  options: TestOptions = {},
): Promise<TestResult[]> {
  const invocation = randomUUID();
  const results: TestResult[] = [];
  for (const test of plan.tests) {
    const r = await runOne(db, test, options.sampleRows ?? 5);
    const line = formatTestResult(r);
    if (r.status === "pass") log.info(line);
    else if (r.severity === "warn") log.warn(line);
    else log.error(line);
    try {
      await recordTestResult(
        db,
        { invocation, ...(options.runId !== undefined ? { runId: options.runId } : {}) },
        r,
      );
    } catch (error) {
      log.warn(`test ${r.name}: could not record the result in elt.test_results: ${errorMessage(error)}`);
    }
    results.push(r);
    options.onResult?.(r);
  }
  return results;
}
