import format from "pg-format";
import type { Queryable } from "../db/database.ts";
import { ConfigError } from "../errors.ts";
import type { RunRow } from "./run-ledger.ts";

/** One `elt run` whole, as `elt status --run N` shows it: every ledger row that carries its id. */
export interface RunDetail {
  run: RunRow & { options: Record<string, unknown> | null; host: string | null; pid: number | null };
  /** elt.loads: the windows the run's extract fetched. */
  loads: RunLoad[];
  /** elt.model_runs: the models its build wrote, and whether they were published. */
  models: RunModel[];
  /** elt.test_results: the audits its build ran before publishing. */
  audits: RunAudit[];
  /** elt.source_checks: failing ones first. */
  sourceChecks: RunSourceCheck[];
  /** elt.exports: every attempt of the Sheets export and the email. */
  exports: RunExport[];
  /**
   * Ledger tables this database cannot attribute to a run (not created yet, or without run_id:
   * `elt status` applies no migrations), each with why.
   */
  unavailable: string[];
}

// Every column is optional: an older database may lack the ones later migrations added.
type Columns<T> = { [K in keyof T]?: T[K] | null };

export type RunLoad = { id: number } & Columns<{
  window_start: Date;
  window_end: Date;
  mode: string;
  status: string;
  http_status: number;
  records: number;
  inserted: number;
  duplicates: number;
  resent: number;
  rejected: number;
  outside: number;
  conflicts: number;
  suspect: string;
  accepted: boolean;
  bytes: number;
  attempts: number;
  ms: number;
  error: string;
}>;

export type RunModel = { id: number } & Columns<{
  model: string;
  relation: string;
  materialized: string;
  mode: string;
  status: string;
  rows: number;
  ms: number;
  published: boolean;
  error: string;
}>;

export type RunAudit = { id: number } & Columns<{
  name: string;
  model: string;
  severity: string;
  status: string;
  failures: number;
  scope: string;
  raw_ids: number[];
  ms: number;
  error: string;
}>;

export type RunSourceCheck = { id: number } & Columns<{
  load_id: number;
  source: string;
  check: string;
  severity: string;
  status: string;
  message: string;
}>;

export type RunExport = { id: number } & Columns<{
  kind: string;
  day: string;
  status: string;
  attempts: number;
  ms: number;
  target: string;
  error: string;
  at: Date;
}>;

const LEDGER = {
  loads: {
    table: "loads",
    columns: [
      "window_start",
      "window_end",
      "mode",
      "status",
      "http_status",
      "records",
      "inserted",
      "duplicates",
      "resent",
      "rejected",
      "outside",
      "conflicts",
      "suspect",
      "accepted",
      "bytes",
      "attempts",
      "ms",
      "error",
    ],
    order: "id",
  },
  models: {
    table: "model_runs",
    columns: ["model", "relation", "materialized", "mode", "status", "rows", "ms", "published", "error"],
    order: "id",
  },
  audits: {
    table: "test_results",
    columns: ["name", "model", "severity", "status", "failures", "scope", "raw_ids", "ms", "error"],
    order: "CASE status WHEN 'error' THEN 0 WHEN 'fail' THEN 1 ELSE 2 END, id",
  },
  sourceChecks: {
    table: "source_checks",
    columns: ["load_id", "source", "check", "severity", "status", "message"],
    order: "CASE status WHEN 'error' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END, id",
  },
  exports: {
    table: "exports",
    columns: ["kind", "day", "status", "attempts", "ms", "target", "error", "at"],
    order: "id",
  },
} as const;

/** The columns of a table in the elt schema; undefined when it does not exist. */
async function tableColumns(db: Queryable, table: string): Promise<Set<string> | undefined> {
  const { rows } = await db.query<{ attname: string }>(
    `SELECT attname FROM pg_attribute
      WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
    [table],
  );
  return rows.length === 0 ? undefined : new Set(rows.map((r) => r.attname));
}

/** The run's rows of one ledger table, with the wanted columns it has. */
async function runRows<R>(
  db: Queryable,
  runId: number,
  part: keyof typeof LEDGER,
  unavailable: string[],
): Promise<R[]> {
  const { columns, order } = LEDGER[part];
  const table = format("%I.%I", "elt", LEDGER[part].table);
  const present = await tableColumns(db, table);
  if (!present) {
    unavailable.push(`${table}: not created yet`);
    return [];
  }
  if (!present.has("run_id")) {
    unavailable.push(`${table}: has no run ids yet (migration 0070: run \`elt migrate\`)`);
    return [];
  }
  const list = ["id", ...columns.filter((c) => present.has(c))];
  const { rows } = await db.query<R>(
    format(`SELECT %I FROM %s WHERE run_id = $1 ORDER BY ${order}`, list, table),
    [runId],
  );
  return rows;
}

/**
 * One run whole: its elt.runs row, then every ledger row written with its id. An unknown run is a
 * usage error (exit 2). Reads only, without the lock, and tolerates tables and columns that later
 * migrations add.
 */
export async function runDetail(db: Queryable, runId: number): Promise<RunDetail> {
  const notFound = () =>
    new ConfigError(`run ${runId} is not in the run ledger (elt.runs)`, {
      code: "RUN_NOT_FOUND",
      hint: "`elt status` lists the last runs and their ids",
    });
  if (!(await tableColumns(db, "elt.runs"))) throw notFound();
  const { rows } = await db.query<RunDetail["run"]>(
    `SELECT id, started_at, finished_at, status, window_start, window_end, stages, counts, error, options, host, pid
       FROM elt.runs WHERE id = $1`,
    [runId],
  );
  const run = rows[0];
  if (!run) throw notFound();
  const unavailable: string[] = [];
  return {
    run,
    loads: await runRows<RunLoad>(db, runId, "loads", unavailable),
    models: await runRows<RunModel>(db, runId, "models", unavailable),
    audits: await runRows<RunAudit>(db, runId, "audits", unavailable),
    sourceChecks: await runRows<RunSourceCheck>(db, runId, "sourceChecks", unavailable),
    exports: await runRows<RunExport>(db, runId, "exports", unavailable),
    unavailable,
  };
}
