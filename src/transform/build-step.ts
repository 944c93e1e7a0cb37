import type { SqlOrigin } from "./sql-origin.ts";

/**
 * One step of a build plan: printable, applied in order inside the build's transaction. A plan is
 * made of these by pure functions (plan-build.ts, materializations/); only apply-build.ts runs them.
 */
export type BuildStep = SqlStep | TryStep | AuditStep;

export interface SqlStep {
  kind: "sql";
  /** What the step does, for people: `write batch`, `merge`, `swap in`. */
  label: string;
  sql: string;
  /** Its row count is the model's figure (rows built or merged). */
  rows?: boolean;
  /** Prefixes a failure of this step ("dependent view x cannot be recreated on the new y"). */
  failure?: string;
}

/** Tried under a savepoint; when it fails, `otherwise` runs instead. */
export interface TryStep {
  kind: "try";
  label: string;
  sql: string;
  otherwise: BuildStep[];
}

/** A data test run on staged data before anything is published. */
export interface AuditStep {
  kind: "audit";
  name: string;
  model?: string;
  severity: "error" | "warn";
  /** batch: the rows about to be published; full: a whole relation as it would be published. */
  scope: "batch" | "full";
  /** Returns the failing rows. */
  sql: string;
  /** A column of the failing rows holding `watermark_source` values: their raw rows are named. */
  traceColumn?: string;
  traceSource?: { schema: string; table: string; column: string };
  /**
   * A test that judges each row on its own: the relation it reads and the condition of a failing
   * row. The runner screens such audits of one relation within a block of audits in a single scan,
   * and runs an audit's own SQL only when the screen finds failing rows (or cannot run).
   */
  screen?: { relation: string; failing: string };
  /** Models it reads: it is skipped when one of them was not built. */
  refs: string[];
  /** Where its SQL comes from, for its database errors. */
  origin: SqlOrigin;
}

export const sqlStep = (label: string, sql: string, extra: Partial<SqlStep> = {}): SqlStep => ({
  kind: "sql",
  label,
  sql,
  ...extra,
});
