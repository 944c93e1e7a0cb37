import { readFileSync } from "node:fs";
import type { ProjectConfig } from "../config/project-schema.ts";
import { EXPORTERS } from "../export/exporters/registry.ts";
import type { ProjectPlan } from "../transform/plan-project.ts";

export interface ExportDoc {
  name: string;
  description: string;
  /** Relations it reads, `schema.name`. */
  reads: string[];
  /** Where it writes, as configured (no secrets). */
  target: string;
  configured: boolean;
}

/** The models a report SQL file refs; none when it cannot be read or rendered (docs never fail on it). */
function reportRefs(plan: ProjectPlan, file: string): string[] {
  try {
    return plan.renderSql(readFileSync(file, "utf8"), file).refs;
  } catch {
    return [];
  }
}

/**
 * The exporters of the registry and the relations they read, as the project says: the exported
 * model (exports.summary.model) and the models their report SQL refs.
 */
export function exportDocs(
  config: ProjectConfig,
  plan: ProjectPlan,
  path: (p: string) => string,
): ExportDoc[] {
  const relationOf = (name: string) => {
    const m = plan.allModels.get(name);
    return m ? [`${m.relation.schema}.${m.relation.name}`] : [];
  };
  const summary = config.exports.summary.model;
  return [...EXPORTERS.values()].map((e) => ({
    name: e.key,
    description: e.description,
    reads: [
      ...new Set([
        ...(summary ? relationOf(summary) : []),
        ...e.reportSql(config).flatMap((f) => reportRefs(plan, path(f)).flatMap(relationOf)),
      ]),
    ],
    target: e.target(config),
    configured: e.configured(config),
  }));
}
