import type { Queryable } from "../db/database.ts";
import type { LastBuild, LastTestResult, Ledger } from "./ledger.ts";

type Json = Record<string, unknown>;

const text = (v: unknown): string | undefined =>
  v === null || v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
const num = (v: unknown): number | undefined => {
  if (v === null || v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** Leaves out the keys whose value is undefined (the manifest is printed as JSON). */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function lastBuild(r: Json): LastBuild {
  return defined({
    status: text(r.status) ?? "unknown",
    mode: text(r.mode),
    rows: num(r.rows),
    ms: num(r.ms),
    error: text(r.error),
    finishedAt: text(r.finished_at),
    runId: text(r.run_id),
    published: typeof r.published === "boolean" ? r.published : undefined,
  });
}

function lastTest(r: Json): LastTestResult {
  return defined({
    status: text(r.status) ?? "unknown",
    severity: text(r.severity),
    failures: num(r.failures),
    ms: num(r.ms),
    error: text(r.error),
    finishedAt: text(r.finished_at),
    runId: text(r.run_id),
    scope: text(r.scope),
  });
}

/**
 * The last build of each model and the last result of each test. Rows are read whole as jsonb, so
 * columns added later (run_id, published, scope) come along and none is required; a table that does not exist yet
 * (a database never migrated) reads as no rows, and neither existing as no ledger.
 */
export async function readLedger(db: Queryable): Promise<Ledger> {
  const { rows } = await db.query<{ runs: string | null; tests: string | null }>(
    "SELECT to_regclass('elt.model_runs')::text AS runs, to_regclass('elt.test_results')::text AS tests",
  );
  const found = rows[0] ?? { runs: null, tests: null };
  if (!found.runs && !found.tests) {
    return {
      available: false,
      reason: "the database has no run ledger yet (elt.model_runs): nothing was built",
    };
  }
  const builds: Record<string, LastBuild> = {};
  if (found.runs) {
    const runs = await db.query<{ model: string; r: Json }>(
      `SELECT DISTINCT ON (model) model, to_jsonb(m) AS r FROM elt.model_runs m
        ORDER BY model, finished_at DESC, id DESC`,
    );
    for (const { model, r } of runs.rows) builds[model] = lastBuild(r);
  }
  const tests: Record<string, LastTestResult> = {};
  if (found.tests) {
    const results = await db.query<{ name: string; r: Json }>(
      `SELECT DISTINCT ON (name) name, to_jsonb(t) AS r FROM elt.test_results t
        ORDER BY name, finished_at DESC, id DESC`,
    );
    for (const { name, r } of results.rows) tests[name] = lastTest(r);
  }
  return { available: true, builds, tests };
}
