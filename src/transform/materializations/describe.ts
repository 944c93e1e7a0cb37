import type { BuildStep } from "../build-step.ts";
import { sqlStep } from "../build-step.ts";
import type { PlannedModel } from "../plan-project.ts";
import { commentColumnsSql, commentSql } from "./templates.ts";

/** The model's description and documented columns as catalog comments (psql's \d+ shows them). */
export function describeSteps(model: PlannedModel, what: "TABLE" | "VIEW"): BuildStep[] {
  const steps: BuildStep[] = [];
  const { config, quoted } = model;
  if (config.description !== undefined)
    steps.push(sqlStep("describe", commentSql(what, quoted, config.description)));
  const documented = Object.fromEntries(
    Object.entries(config.columns).flatMap(([c, v]) =>
      v.description !== undefined ? [[c, v.description]] : [],
    ),
  );
  if (Object.keys(documented).length > 0)
    steps.push(sqlStep("describe columns", commentColumnsSql(quoted, documented)));
  return steps;
}
