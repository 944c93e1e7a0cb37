import type { Queryable } from "../../db/database.ts";
import type { PlannedModel } from "../plan-project.ts";
import type { RelationKind } from "../relation-info.ts";

export interface MaterializeContext {
  tx: Queryable;
  model: PlannedModel;
  /** What the relation is now (undefined: nothing there yet). */
  existing: RelationKind | undefined;
  /** View models of the project by quoted relation → their SQL: dependents are recreated from it. */
  viewModels: ReadonlyMap<string, string>;
}

export interface Materialized {
  rows: number | null;
  mode: "full" | "incremental";
}
