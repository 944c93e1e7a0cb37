import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { issueKey, issueMessage } from "../config/zod-issue.ts";
import type { CompileProblem } from "./compile-error.ts";
import { configProblems, type ModelConfig, modelConfigSchema, normalizeConfig } from "./model-config.ts";
import { listFiles, type ProjectFiles } from "./project-files.ts";
import type { SidecarConfig } from "./read-sidecars.ts";
import { splitHeader } from "./split-header.ts";
import { parseYamlSource, type YamlSource } from "./yaml-source.ts";

/** A model file with its validated config, before rendering. */
export interface ModelSource {
  name: string;
  /** Project-relative path. */
  path: string;
  config: ModelConfig;
  /** The template (the file without its header) and the file line it starts on. */
  body: string;
  bodyLine: number;
  /** Where a config key is written: the header when it has that top-level key, else the sidecar. */
  locate(keyPath: readonly PropertyKey[]): { file: string; line?: number };
}

function locator(
  path: string,
  name: string,
  header: Record<string, unknown>,
  headerYaml?: YamlSource,
  side?: SidecarConfig,
) {
  return (keyPath: readonly PropertyKey[]): { file: string; line?: number } => {
    const top = keyPath[0];
    if (side && !(typeof top === "string" && Object.hasOwn(header, top))) {
      return { file: side.path, line: side.yaml.lineOf(["models", name, ...keyPath]) };
    }
    return { file: path, ...(headerYaml ? { line: headerYaml.lineOf(keyPath) } : {}) };
  };
}

/**
 * Finds `*.sql` under the model folders (names unique), and validates each one's config: the
 * sidecar's keys overlaid by the header's. Disabled models are left out.
 */
export function readModels(
  files: ProjectFiles,
  roots: string[],
  sidecars: Map<string, SidecarConfig>,
  problems: CompileProblem[],
): ModelSource[] {
  const seen = new Map<string, string>();
  const out: ModelSource[] = [];
  for (const file of roots.flatMap((root) => listFiles(files.abs(root), [".sql"]))) {
    const name = basename(file, ".sql");
    const path = files.rel(file);
    const other = seen.get(name);
    if (other) {
      problems.push({
        file: path,
        message: `model name "${name}" is also used by ${other} (names must be unique)`,
      });
      continue;
    }
    seen.set(name, path);
    const split = splitHeader(readFileSync(file, "utf8"));
    let header: Record<string, unknown> = {};
    let headerYaml: YamlSource | undefined;
    if (split.header !== undefined) {
      headerYaml = parseYamlSource(split.header, split.headerLine);
      for (const e of headerYaml.errors) {
        problems.push({ file: path, line: e.line, message: `config header YAML: ${e.message}` });
      }
      if (headerYaml.errors.length > 0) continue;
      const v = headerYaml.value ?? {};
      if (typeof v !== "object" || Array.isArray(v)) {
        problems.push({
          file: path,
          line: split.headerLine,
          message: "config header must be a YAML mapping",
        });
        continue;
      }
      header = v as Record<string, unknown>;
    }
    const side = sidecars.get(name);
    const locate = locator(path, name, header, headerYaml, side);
    const parsed = modelConfigSchema.safeParse({ ...(side?.raw ?? {}), ...header });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = issueKey(issue);
        problems.push({
          ...locate(key),
          message: `config ${key.join(".")}${key.length ? ": " : ""}${issueMessage(issue)} (model ${name})`,
        });
      }
      continue;
    }
    const config = normalizeConfig(name, parsed.data);
    for (const p of configProblems(config)) {
      problems.push({
        ...locate(p.path.split(".")),
        message: `config ${p.path}: ${p.message} (model ${name})`,
      });
    }
    if (!config.enabled) continue;
    out.push({ name, path, config, body: split.body, bodyLine: split.bodyLine, locate });
  }
  for (const [name, s] of sidecars) {
    if (!seen.has(name)) {
      problems.push({
        file: s.path,
        line: s.yaml.lineOf(["models", name]),
        message: `config for unknown model "${name}"`,
      });
    }
  }
  return out;
}
