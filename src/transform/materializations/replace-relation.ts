import type { BuildStep } from "../build-step.ts";
import { sqlStep } from "../build-step.ts";
import type { MaterializeInput } from "./context.ts";
import { dropSql, restoreDependentsSql, stashDependentsSql } from "./templates.ts";

/**
 * Drops what is at the model's relation and creates the new one, keeping what depended on it: the
 * views and materialized views on it (with their comments and grants) and its own grants are
 * stashed right before the DROP ... CASCADE and put back as they stood (migration 0100). Found at
 * that moment, not at plan time: an earlier model of the same build may have changed them. A view
 * model published with the SQL it has now is recreated from that SQL (a `SELECT *` expands again); a view
 * view model among them that this build changes is left to its own later step, which creates it from
 * its new SQL and audits it. In the build's transaction, so a dependent that no longer fits fails
 * the model.
 */
export function replaceSteps(input: MaterializeInput, create: BuildStep[]): BuildStep[] {
  const { model, existing } = input;
  if (!existing) return create;
  return [
    sqlStep("stash what depends on it", stashDependentsSql(model.quoted)),
    sqlStep("drop the old relation", dropSql(model.quoted, existing.kind)),
    ...create,
    sqlStep("put back what depended on it", restoreDependentsSql(input.rebuiltViews, input.publishedViews)),
  ];
}
