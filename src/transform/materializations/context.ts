import type { RelationState } from "../build-state.ts";
import type { AuditStep, BuildStep } from "../build-step.ts";
import type { PlannedModel } from "../plan-project.ts";

/** Where a model's new data waits, unseen by readers, while its audits run. */
export interface Staged {
  relation: string;
  /** batch: only the rows a merge adds or replaces; full: everything the relation will hold. */
  kind: "batch" | "full";
  /** The watermark column, when the staged relation still has it. */
  watermark?: string;
  /** Audits after publishing into the relation (still inside the build's transaction). */
  after?: "merge";
}

export interface MaterializeInput {
  model: PlannedModel;
  /** What stands at the model's relation now (undefined: nothing). */
  existing: RelationState | undefined;
  fullRefresh: boolean;
  /** The watermark source, when it stands by the time the model runs (see readFloorSql). */
  floor: { schema: string; table: string; column: string } | null;
  /** Its SQL and config are those of its last published build (a standing view needs no DDL). */
  unchanged: boolean;
  /** View models this build changes (quoted): a swap leaves them to their own later step. */
  rebuiltViews: readonly string[];
  /** View models published with the SQL they have now (quoted → SQL): a swap recreates them from it. */
  publishedViews: Readonly<Record<string, string>>;
  /** The model's audits on staged data. */
  audits: (staged: Staged) => AuditStep[];
}

export interface MaterializePlan {
  mode: "full" | "incremental";
  /** Why this mode, for the printed plan: `merge: the table has a unique index on (day)`. */
  reason: string;
  steps: BuildStep[];
}

/** A materialization: a pure function from a model and its relation's state to steps. */
export interface Materialization {
  plan(input: MaterializeInput): MaterializePlan;
}
