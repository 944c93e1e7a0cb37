import { readFileSync } from "node:fs";
import { issueKey, issueMessage } from "../config/zod-issue.ts";
import { LANDING_TABLE } from "../source-checks/landing-table.ts";
import { type SourceChecks, sourceChecksOf } from "../source-checks/source-check-config.ts";
import type { CompileProblem } from "./compile-error.ts";
import { sidecarSchema } from "./model-config.ts";
import { listFiles, type ProjectFiles } from "./project-files.ts";
import { quoteRelation } from "./sql-literal.ts";
import { parseYamlSource, type YamlSource } from "./yaml-source.ts";

/** One model's config block in a sidecar yml. */
export interface SidecarConfig {
  raw: Record<string, unknown>;
  yaml: YamlSource;
  /** The yml, project-relative. */
  path: string;
}

export interface Sidecars {
  /** Model name → its config block. */
  models: Map<string, SidecarConfig>;
  /** `source.table` → quoted relation. */
  sources: Map<string, string>;
  /** The source tables that declare freshness or drift checks. */
  sourceChecks: SourceChecks[];
}

/** Reads every `*.yml`/`*.yaml` under the model folders: `models:` configs and `sources:`. */
export function readSidecars(files: ProjectFiles, roots: string[], problems: CompileProblem[]): Sidecars {
  const models = new Map<string, SidecarConfig>();
  const sources = new Map<string, string>();
  const sourceChecks: SourceChecks[] = [];
  for (const root of roots.map(files.abs)) {
    for (const file of listFiles(root, [".yml", ".yaml"])) {
      const path = files.rel(file);
      const yaml = parseYamlSource(readFileSync(file, "utf8"));
      for (const e of yaml.errors) problems.push({ file: path, line: e.line, message: `YAML: ${e.message}` });
      if (yaml.errors.length > 0) continue;
      const parsed = sidecarSchema.safeParse(yaml.value ?? {});
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const key = issueKey(issue);
          problems.push({
            file: path,
            line: yaml.lineOf(key),
            message: `${key.join(".") || "(top level)"}: ${issueMessage(issue)}`,
          });
        }
        continue;
      }
      for (const [name, raw] of Object.entries(parsed.data.models)) {
        const other = models.get(name);
        if (other) {
          const message = `model "${name}" is also configured in ${other.path}`;
          problems.push({ file: path, line: yaml.lineOf(["models", name]), message });
          continue;
        }
        models.set(name, { raw: raw ?? {}, yaml, path });
      }
      for (const [source, def] of Object.entries(parsed.data.sources)) {
        for (const t of def.tables) {
          const table = typeof t === "string" ? t : t.name;
          const identifier = typeof t === "string" ? t : (t.identifier ?? t.name);
          const key = `${source}.${table}`;
          if (sources.has(key)) {
            problems.push({
              file: path,
              line: yaml.lineOf(["sources", source]),
              message: `source ${key} is declared twice`,
            });
          }
          sources.set(key, quoteRelation(def.schema ?? source, identifier));
          if (typeof t !== "string") {
            const relation = { schema: def.schema ?? source, table: identifier };
            const found = sourceChecksOf(key, relation, t, LANDING_TABLE);
            if (found.checks) sourceChecks.push(found.checks);
            for (const p of found.problems) {
              const at = ["sources", source, "tables", def.tables.indexOf(t), ...p.key.split(".")];
              problems.push({ file: path, line: yaml.lineOf(at), message: `${at.join(".")}: ${p.message}` });
            }
          }
        }
      }
    }
  }
  return { models, sources, sourceChecks };
}
