import type { BuildStep } from "./build-step.ts";
import type { BuildPlan } from "./plan-build.ts";

const indent = (text: string, pad: string) =>
  text
    .replace(/\s+$/, "")
    .split("\n")
    .map((l) => (l === "" ? l : pad + l))
    .join("\n");

function formatSteps(steps: BuildStep[], pad: string, withSql: boolean, out: string[]): void {
  for (const s of steps) {
    if (s.kind === "audit") {
      out.push(`${pad}audit ${s.name} (${s.scope}${s.severity === "warn" ? ", warn" : ""})`);
      if (withSql) out.push(indent(s.sql, `${pad}    `));
    } else if (s.kind === "try") {
      out.push(`${pad}${s.label}`);
      if (withSql) out.push(indent(s.sql, `${pad}    `));
      out.push(`${pad}  if that fails:`);
      formatSteps(s.otherwise, `${pad}    `, withSql, out);
    } else {
      out.push(`${pad}${s.label}`);
      if (withSql) out.push(indent(s.sql, `${pad}    `));
    }
  }
}

/** The plan as `elt model build --dry-run` prints it: each model's steps (and SQL), then the publish. */
export function formatBuildPlan(plan: BuildPlan, options: { sql?: boolean } = {}): string {
  const withSql = options.sql ?? true;
  const out: string[] = [];
  for (const m of plan.models) {
    out.push(
      `model ${m.relation} (${m.materialized}${m.mode === "incremental" ? ", incremental run" : ""}): ${m.reason}`,
    );
    formatSteps(m.steps, "  ", withSql, out);
  }
  if (plan.audits.length > 0) {
    out.push("audits across models");
    formatSteps(plan.audits, "  ", withSql, out);
  }
  out.push(
    plan.models.length === 0
      ? "nothing to build"
      : "publish: COMMIT, all models at once, when every model built and no error audit failed; otherwise ROLLBACK",
  );
  return out.join("\n");
}
