import { readFileSync } from "node:fs";
import type { ProjectConfig } from "../config/project-schema.ts";
import { sidecarSchema } from "../transform/model-config.ts";
import type { ProjectPlan } from "../transform/plan-project.ts";
import { listFiles, projectFiles } from "../transform/project-files.ts";
import { parseYamlSource } from "../transform/yaml-source.ts";

export interface SourceTableDoc {
  /** `source.table`, as models name it in `{{source "raw" "api_attempts"}}`. */
  key: string;
  relation: string;
  description?: string;
  columns: { name: string; description?: string }[];
  /** Its other keys, as text: `[["loaded_at_field", "created_at"], ["freshness", "{…}"]]`. */
  config: [string, string][];
  /** The yml that declares it, project-relative. */
  path: string;
}

/** What the docs need from the project's files beyond the plan. */
export interface ProjectDocs {
  sources: SourceTableDoc[];
  /** Model name → its file as written (config header and template). */
  templates: Record<string, string>;
}

function columnDocs(columns: Record<string, unknown> | undefined): SourceTableDoc["columns"] {
  return Object.entries(columns ?? {}).map(([name, c]) => {
    const d = typeof c === "string" ? c : (c as { description?: unknown } | null)?.description;
    return typeof d === "string" ? { name, description: d } : { name };
  });
}

/**
 * Reads the sources' descriptions from the model folders' yml (planProject keeps only their
 * relations) and each model's file. The plan has already validated these files, so a yml that
 * does not parse is skipped here rather than reported twice.
 */
export function readProjectDocs(plan: ProjectPlan, config: ProjectConfig): ProjectDocs {
  const files = projectFiles(plan.projectDir);
  const sources: SourceTableDoc[] = [];
  for (const root of config.models.paths.map(files.abs)) {
    for (const file of listFiles(root, [".yml", ".yaml"])) {
      const yaml = parseYamlSource(readFileSync(file, "utf8"));
      const parsed = sidecarSchema.safeParse(yaml.value ?? {});
      if (yaml.errors.length > 0 || !parsed.success) continue;
      for (const [source, def] of Object.entries(parsed.data.sources)) {
        for (const table of def.tables) {
          const description = table.description ?? def.description;
          const { name, identifier, columns, description: _, ...rest } = table;
          sources.push({
            key: `${source}.${name}`,
            relation: `${def.schema ?? source}.${identifier ?? name}`,
            ...(description ? { description } : {}),
            columns: columnDocs(columns),
            // What else the table declares (source checks: loaded_at_field, freshness, drift).
            config: Object.entries(rest)
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
            path: files.rel(file),
          });
        }
      }
    }
  }
  const templates: Record<string, string> = {};
  for (const m of plan.allModels.values()) {
    templates[m.name] = readFileSync(files.abs(m.path), "utf8");
  }
  return { sources, templates };
}
