import format from "pg-format";
import type { BuildStep } from "../build-step.ts";
import { sqlStep } from "../build-step.ts";
import type { MaterializeInput } from "./context.ts";
import { dropSql, viewSql } from "./templates.ts";

/**
 * Drops what is at the model's relation and creates the new one, keeping the views that depend on
 * it: dropped with the old relation (CASCADE) and recreated on the new one from their saved
 * definitions — from the model's current SQL when the dependent is itself a view model of the
 * project. In the build's transaction, so a dependent that no longer fits fails the model.
 */
export function replaceSteps(input: MaterializeInput, create: BuildStep[]): BuildStep[] {
  const { model, existing } = input;
  const steps: BuildStep[] = [];
  if (existing) steps.push(sqlStep("drop the old relation", dropSql(model.quoted, existing.kind)));
  steps.push(...create);
  for (const d of existing?.dependents ?? []) {
    const fresh = input.viewModels.get(d.quoted);
    const failure = `dependent view ${d.quoted} cannot be recreated on the new ${model.quoted}`;
    steps.push(
      sqlStep(
        `recreate dependent ${d.quoted}`,
        d.materialized && !fresh
          ? `CREATE MATERIALIZED VIEW ${d.quoted} AS ${d.definition}`
          : viewSql(d.quoted, fresh ?? d.definition, false),
        { failure },
      ),
    );
    if (d.comment !== null && !fresh) {
      const what = d.materialized ? "MATERIALIZED VIEW" : "VIEW";
      steps.push(
        sqlStep(`comment ${d.quoted}`, `COMMENT ON ${what} ${d.quoted} IS ${format("%L", d.comment)}`, {
          failure,
        }),
      );
    }
  }
  return steps;
}
