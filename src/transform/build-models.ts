import { randomUUID } from "node:crypto";
import format from "pg-format";
import { advisoryKey } from "../db/advisory-key.ts";
import type { Database, Queryable } from "../db/database.ts";
import { errorMessage } from "../errors.ts";
import { log } from "../log/logger.ts";
import { formatDuration } from "../log/timestamp.ts";
import type { Materialized } from "./materializations/context.ts";
import { materializeIncremental } from "./materializations/incremental.ts";
import { materializeTable } from "./materializations/table.ts";
import { commentSql, createSchemaSql } from "./materializations/templates.ts";
import { materializeView } from "./materializations/view.ts";
import type { PlannedModel, ProjectPlan } from "./plan-project.ts";
import { relationColumns, relationKind } from "./relation-info.ts";

export interface ModelResult {
  name: string;
  /** `schema.name`, for people. */
  relation: string;
  materialized: "view" | "table" | "incremental";
  status: "success" | "failed" | "skipped";
  /** Rows in the built table, rows merged by an incremental run; null for views and when not built. */
  rows: number | null;
  ms: number;
  error?: string;
  mode?: "full" | "incremental";
}

export interface BuildOptions {
  /** Incremental models are rebuilt from scratch (and their watermark reset). */
  fullRefresh?: boolean;
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
  return `${head}, ${what} (${formatDuration(r.ms)})`;
}

async function describe(tx: Queryable, model: PlannedModel): Promise<void> {
  const { config, quoted } = model;
  const what = config.materialized === "view" ? "VIEW" : "TABLE";
  if (config.description !== undefined) await tx.query(commentSql(what, quoted, config.description));
  const documented = Object.entries(config.columns).filter(([, c]) => c.description !== undefined);
  if (documented.length === 0) return;
  const existing = await relationColumns(tx, quoted);
  for (const [column, c] of documented) {
    if (existing.includes(column)) {
      await tx.query(commentSql("COLUMN", `${quoted}.${format("%I", column)}`, c.description as string));
    }
  }
}

async function buildOne(
  db: Database,
  plan: ProjectPlan,
  model: PlannedModel,
  fullRefresh: boolean,
): Promise<Materialized> {
  const viewModels = new Map(
    [...plan.allModels.values()]
      .filter((m) => m.config.materialized === "view")
      .map((m) => [m.quoted, m.sql]),
  );
  return db.transaction(async (tx) => {
    // Landing takes the same transaction lock: a merge never sees raw ids allocated by a landing
    // that has not committed yet (its watermark would skip them), even if a process lost its
    // session-level project lock.
    await tx.query("SELECT pg_advisory_xact_lock($1)", [advisoryKey("landing")]);
    // A batch touches a few days but the planner cannot know: JIT would spend a second compiling
    // each statement for milliseconds of work (measured on the daily models).
    if (db.kind === "postgres") await tx.query("SET LOCAL jit = off");
    await tx.query(createSchemaSql(model.relation.schema));
    const existing = await relationKind(tx, model.relation.schema, model.relation.name);
    const ctx = { tx, model, existing, viewModels };
    const m = model.config.materialized;
    const result =
      m === "view"
        ? await materializeView(ctx)
        : m === "table"
          ? await materializeTable(ctx)
          : await materializeIncremental(ctx, fullRefresh);
    await describe(tx, model);
    return result;
  });
}

/** PostgreSQL puts the useful part ("Key (id)=(1) is duplicated.") in detail, not in the message. */
function dbErrorMessage(error: unknown): string {
  const e = error as { detail?: unknown; hint?: unknown };
  const extra = [e.detail, e.hint].filter((x): x is string => typeof x === "string" && x !== "");
  return [errorMessage(error), ...extra].join(" — ");
}

async function record(db: Database, invocation: string, r: ModelResult): Promise<void> {
  try {
    await db.query(
      `INSERT INTO elt.model_runs (invocation_id, model, relation, materialized, mode, status, rows, ms, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        invocation,
        r.name,
        r.relation,
        r.materialized,
        r.mode ?? null,
        r.status,
        r.rows,
        Math.round(r.ms),
        r.error ?? null,
      ],
    );
  } catch (error) {
    log.warn(`model ${r.relation}: could not record the build in elt.model_runs: ${errorMessage(error)}`);
  }
}

/**
 * Builds the plan's models in order, each in its own transaction. A failing model keeps its previous
 * version (the transaction rolls back), is recorded, and its descendants are skipped; the others go
 * on. Never throws for a model failure: the caller decides (the CLI exits 1).
 */
export async function buildModels(
  db: Database,
  plan: ProjectPlan,
  options: BuildOptions = {},
): Promise<ModelResult[]> {
  const invocation = randomUUID();
  const results: ModelResult[] = [];
  const broken = new Map<string, string>();
  for (const model of plan.models) {
    const base = {
      name: model.name,
      relation: `${model.relation.schema}.${model.relation.name}`,
      materialized: model.config.materialized,
    };
    const upstream = model.deps.find((d) => broken.has(d));
    let result: ModelResult;
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
      try {
        const built = await buildOne(db, plan, model, options.fullRefresh ?? false);
        result = {
          ...base,
          status: "success",
          rows: built.rows,
          ms: performance.now() - started,
          mode: built.mode,
        };
      } catch (error) {
        broken.set(model.name, model.name);
        result = {
          ...base,
          status: "failed",
          rows: null,
          ms: performance.now() - started,
          error: dbErrorMessage(error),
        };
      }
    }
    const line = formatModelResult(result);
    if (result.status === "success") log.info(line);
    else if (result.status === "failed") log.error(line);
    else log.warn(line);
    await record(db, invocation, result);
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}
