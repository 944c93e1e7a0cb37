import type { Queryable } from "../db/database.ts";
import type { TestResult } from "./run-data-tests.ts";

/** What elt.model_runs keeps of a model's build (migration 0030, run_id and published 0070). */
export interface ModelRunRow {
  name: string;
  relation: string;
  materialized: string;
  mode?: "full" | "incremental";
  status: "success" | "failed" | "skipped";
  rows: number | null;
  ms: number;
  error?: string;
  published?: boolean;
  /** The model's fingerprint, kept when its build was published (state:modified compares with it). */
  fingerprint?: { sql: string; config: string };
}

export interface LedgerIds {
  invocation: string;
  runId?: number;
}

export async function recordModelRun(q: Queryable, ids: LedgerIds, r: ModelRunRow): Promise<void> {
  await q.query(
    `INSERT INTO elt.model_runs (invocation_id, run_id, model, relation, materialized, mode, status, rows, ms, error, published, sql_hash, config_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      ids.invocation,
      ids.runId ?? null,
      r.name,
      r.relation,
      r.materialized,
      r.mode ?? null,
      r.status,
      r.rows,
      Math.round(r.ms),
      r.error ?? null,
      r.published ?? null,
      r.fingerprint?.sql ?? null,
      r.fingerprint?.config ?? null,
    ],
  );
}

export async function recordTestResult(q: Queryable, ids: LedgerIds, r: TestResult): Promise<void> {
  await q.query(
    `INSERT INTO elt.test_results (invocation_id, run_id, name, model, severity, status, failures, sample, ms, error, scope, raw_ids)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12)`,
    [
      ids.invocation,
      ids.runId ?? null,
      r.name,
      r.model ?? null,
      r.severity,
      r.status,
      r.failures,
      JSON.stringify(r.sample),
      Math.round(r.ms),
      r.error ?? null,
      r.scope ?? null,
      r.rawIds ?? null,
    ],
  );
}
