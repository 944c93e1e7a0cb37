import { type ProjectPlan, planProject } from "../transform/plan-project.ts";
import type { ExportContext } from "./export-context.ts";

const plans = new WeakMap<ExportContext, ProjectPlan>();

/**
 * The project's plan for the exporters: the run's, or compiled once per context for a standalone
 * `elt export` (files only, no database).
 */
export function exportPlan(ctx: ExportContext): ProjectPlan {
  if (ctx.plan) return ctx.plan;
  let plan = plans.get(ctx);
  if (!plan) {
    plan = planProject({ projectDir: ctx.projectDir, config: ctx.config });
    plans.set(ctx, plan);
  }
  return plan;
}
