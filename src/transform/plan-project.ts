import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { ProjectConfig } from "../config/project-schema.ts";
import { buildOrder } from "./build-order.ts";
import { CompileError, type CompileProblem } from "./compile-error.ts";
import { parseTestEntry, type TestKind, testName, testSql } from "./data-test-sql.ts";
import {
  configProblems,
  type ModelConfig,
  modelConfigSchema,
  normalizeConfig,
  sidecarSchema,
} from "./model-config.ts";
import { selectModels } from "./select-models.ts";
import { splitHeader } from "./split-header.ts";
import { quoteRelation, sqlLiteral } from "./sql-literal.ts";
import { type RenderScope, TemplateEnv } from "./template-env.ts";
import { parseYamlSource, type YamlSource } from "./yaml-source.ts";

export interface PlannedModel {
  name: string;
  /** Project-relative path with forward slashes: `models/staging/stg_attempts.sql`. */
  path: string;
  relation: { schema: string; name: string };
  /** `"schema"."name"`, as `{{ref}}` renders it. */
  quoted: string;
  config: ModelConfig;
  /** Rendered for a full build (is_incremental false). */
  sql: string;
  /** Rendered with is_incremental true (same as `sql` unless the model branches on it). */
  incrementalSql: string;
  /** Models it refs (all of them, selected or not). */
  deps: string[];
  /** `source.table` it reads. */
  sources: string[];
}

export interface PlannedTest {
  name: string;
  kind: TestKind | "singular";
  /** The model it checks (for a singular test: the first model it refs). */
  model?: string;
  column?: string;
  severity: "error" | "warn";
  /** Returns the failing rows. */
  sql: string;
  /** Where it is declared. */
  path: string;
}

export interface ProjectPlan {
  projectDir: string;
  /** The selected models in build order (dependencies first). */
  models: PlannedModel[];
  /** Tests of the selected models. */
  tests: PlannedTest[];
  /** Every enabled model of the project by name, selected or not (for lookups). */
  allModels: ReadonlyMap<string, PlannedModel>;
}

export interface PlanOptions {
  projectDir: string;
  config: ProjectConfig;
  /** Override project.yml `vars` (from --vars). */
  vars?: Record<string, unknown>;
  select?: string[];
  exclude?: string[];
}

/** SQL `{{watermark}}` renders on an incremental run: the state stored after the last merge. */
export function watermarkSql(model: string): string {
  return `(SELECT coalesce(max(watermark), 0) FROM elt.model_state WHERE model = ${sqlLiteral(model)})`;
}

interface Discovered {
  name: string;
  file: string;
  path: string;
  text: string;
}

interface SidecarEntry {
  raw: Record<string, unknown>;
  yaml: YamlSource;
  path: string;
}

const toPosix = (p: string) => p.split(sep).join("/");

function listFiles(dir: string, exts: string[]): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => exts.includes(extname(f)) && !f.split(sep).some((part) => part.startsWith(".")))
    .map((f) => join(dir, f))
    .sort();
}

/**
 * Discovers the project's models, sources, macros and tests, renders every model (full and
 * incremental), orders them and applies the selection. Pure: reads files, never the database.
 * Every problem in the project is collected and thrown as one CompileError.
 */
export function planProject(options: PlanOptions): ProjectPlan {
  const dir = resolve(options.projectDir);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  const rel = (p: string) => toPosix(relative(dir, p));
  const problems: CompileProblem[] = [];
  const { paths: modelPaths, macro_paths, test_paths } = options.config.models;

  // 1. Sidecar ymls: sources and model configs.
  const sidecars = new Map<string, SidecarEntry>();
  const sourceMap = new Map<string, string>();
  for (const root of modelPaths.map(abs)) {
    for (const file of listFiles(root, [".yml", ".yaml"])) {
      const path = rel(file);
      const yaml = parseYamlSource(readFileSync(file, "utf8"));
      for (const e of yaml.errors) problems.push({ file: path, line: e.line, message: `YAML: ${e.message}` });
      if (yaml.errors.length > 0) continue;
      const parsed = sidecarSchema.safeParse(yaml.value ?? {});
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
          problems.push({
            file: path,
            line: yaml.lineOf([...issue.path, ...keys.slice(0, 1)]),
            message: `${issue.path.join(".") || "(top level)"}: ${issue.message}`,
          });
        }
        continue;
      }
      for (const [name, raw] of Object.entries(parsed.data.models)) {
        const other = sidecars.get(name);
        if (other) {
          problems.push({
            file: path,
            line: yaml.lineOf(["models", name]),
            message: `model "${name}" is also configured in ${other.path}`,
          });
          continue;
        }
        sidecars.set(name, { raw: raw ?? {}, yaml, path });
      }
      for (const [source, def] of Object.entries(parsed.data.sources)) {
        for (const t of def.tables) {
          const table = typeof t === "string" ? t : t.name;
          const identifier = typeof t === "string" ? t : (t.identifier ?? t.name);
          const key = `${source}.${table}`;
          if (sourceMap.has(key)) {
            problems.push({
              file: path,
              line: yaml.lineOf(["sources", source]),
              message: `source ${key} is declared twice`,
            });
          }
          sourceMap.set(key, quoteRelation(def.schema ?? source, identifier));
        }
      }
    }
  }

  // 2. Model files: header config merged over the sidecar's.
  const found: Discovered[] = [];
  const byName = new Map<string, Discovered>();
  for (const root of modelPaths.map(abs)) {
    for (const file of listFiles(root, [".sql"])) {
      const d: Discovered = {
        name: basename(file, ".sql"),
        file,
        path: rel(file),
        text: readFileSync(file, "utf8"),
      };
      const other = byName.get(d.name);
      if (other) {
        problems.push({
          file: d.path,
          message: `model name "${d.name}" is also used by ${other.path} (names must be unique)`,
        });
        continue;
      }
      byName.set(d.name, d);
      found.push(d);
    }
  }
  for (const [name, s] of sidecars) {
    if (!byName.has(name)) {
      problems.push({
        file: s.path,
        line: s.yaml.lineOf(["models", name]),
        message: `config for unknown model "${name}"`,
      });
    }
  }

  interface Prepared extends Discovered {
    config: ModelConfig;
    body: string;
    bodyLine: number;
  }
  const prepared: Prepared[] = [];
  for (const d of found) {
    const split = splitHeader(d.text);
    let header: Record<string, unknown> = {};
    let headerYaml: YamlSource | undefined;
    if (split.header !== undefined) {
      headerYaml = parseYamlSource(split.header, split.headerLine);
      for (const e of headerYaml.errors)
        problems.push({ file: d.path, line: e.line, message: `config header YAML: ${e.message}` });
      if (headerYaml.errors.length > 0) continue;
      const v = headerYaml.value ?? {};
      if (typeof v !== "object" || Array.isArray(v)) {
        problems.push({
          file: d.path,
          line: split.headerLine,
          message: "config header must be a YAML mapping",
        });
        continue;
      }
      header = v as Record<string, unknown>;
    }
    const side = sidecars.get(d.name);
    const parsed = modelConfigSchema.safeParse({ ...(side?.raw ?? {}), ...header });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
        const top = (issue.path[0] ?? keys[0]) as string | undefined;
        const inHeader = !side || (top !== undefined && Object.hasOwn(header, top)) || top === undefined;
        const where = inHeader
          ? { file: d.path, line: headerYaml?.lineOf([...issue.path, ...keys.slice(0, 1)]) ?? 1 }
          : {
              file: side.path,
              line: side.yaml.lineOf(["models", d.name, ...issue.path, ...keys.slice(0, 1)]),
            };
        const key = [...issue.path, ...keys.slice(0, 1)].join(".");
        const message = keys.length > 0 ? `unknown key "${keys.join('", "')}"` : issue.message;
        problems.push({ ...where, message: `config ${key ? `${key}: ` : ""}${message} (model ${d.name})` });
      }
      continue;
    }
    const config = normalizeConfig(d.name, parsed.data);
    for (const p of configProblems(config)) {
      const line =
        headerYaml?.lineOf(p.path.split(".")) ?? side?.yaml.lineOf(["models", d.name, ...p.path.split(".")]);
      problems.push({ file: d.path, ...(line ? { line } : {}), message: `config ${p.path}: ${p.message}` });
    }
    if (!config.enabled) continue;
    prepared.push({ ...d, config, body: split.body, bodyLine: split.bodyLine });
  }

  // 3. Relations, then render every model twice.
  const relations = new Map<string, string>();
  const relationOwner = new Map<string, string>();
  for (const p of prepared) {
    const quoted = quoteRelation(p.config.schema, p.config.alias);
    const owner = relationOwner.get(quoted);
    if (owner)
      problems.push({ file: p.path, message: `relation ${quoted} is also built by model "${owner}"` });
    relationOwner.set(quoted, p.name);
    relations.set(p.name, quoted);
  }
  const vars = { ...options.config.vars, ...(options.vars ?? {}) };
  const scope: RenderScope = { models: relations, sources: sourceMap, vars };
  const env = new TemplateEnv(
    scope,
    macro_paths.map((m) => ({ dir: abs(m), rel: rel(abs(m)) })),
  );
  problems.push(...env.problems);

  const all = new Map<string, PlannedModel>();
  const edges = new Map<string, { name: string; line?: number }[]>();
  for (const p of prepared) {
    const render = env.compile(p.body);
    const quoted = relations.get(p.name) as string;
    const base = { file: p.path, firstLine: p.bodyLine, self: quoted };
    const wm = p.config.watermark;
    const full = render({ ...base, isIncremental: false, ...(wm ? { watermark: "0" } : {}) });
    const incr = render({ ...base, isIncremental: true, ...(wm ? { watermark: watermarkSql(p.name) } : {}) });
    const seen = new Set(full.problems.map((x) => `${x.line}:${x.message}`));
    problems.push(...full.problems, ...incr.problems.filter((x) => !seen.has(`${x.line}:${x.message}`)));
    const refs = [...full.refs, ...incr.refs];
    edges.set(p.name, refs);
    all.set(p.name, {
      name: p.name,
      path: p.path,
      relation: { schema: p.config.schema, name: p.config.alias },
      quoted,
      config: p.config,
      sql: cleanSql(full.sql),
      incrementalSql: cleanSql(incr.sql),
      deps: [...new Set(refs.map((r) => r.name))],
      sources: [...new Set([...full.sources, ...incr.sources])],
    });
  }

  // 4. Order (and cycles).
  const { order, problems: cycles } = buildOrder(
    [...all.values()].map((m) => ({ name: m.name, path: m.path, deps: edges.get(m.name) ?? [] })),
  );
  problems.push(...cycles);

  // 5. Tests declared in configs, then singular tests.
  const tests: PlannedTest[] = [];
  for (const p of prepared) {
    const model = all.get(p.name);
    if (!model) continue;
    const side = sidecars.get(p.name);
    const declared: { entry: unknown; column?: string }[] = [
      ...Object.entries(p.config.columns).flatMap(([column, c]) =>
        c.tests.map((entry) => ({ entry, column })),
      ),
      ...p.config.tests.map((entry) => ({ entry })),
    ];
    for (const { entry, column } of declared) {
      const spec = parseTestEntry(entry, column);
      if (typeof spec === "string") {
        problems.push({
          file: side && !/^\/\*---/.test(p.text.trimStart()) ? side.path : p.path,
          message: `test${column ? ` on ${column}` : ""}: ${spec} (model ${p.name})`,
        });
        continue;
      }
      let to: string | undefined;
      if (spec.kind === "relationships") {
        // `to: stg_x`, `to: raw.api_attempts` (a source), or dbt's `ref('stg_x')` / `source('raw', 't')`.
        const target = (spec.to as string)
          .replace(/^ref\(\s*['"]([^'"]+)['"]\s*\)$/, "$1")
          .replace(/^source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)$/, "$1.$2");
        to = relations.get(target) ?? sourceMap.get(target);
        if (!to) {
          problems.push({
            file: p.path,
            message: `test relationships: unknown model or source "${spec.to}" (model ${p.name})`,
          });
          continue;
        }
      }
      tests.push({
        name: testName(p.name, spec),
        kind: spec.kind,
        model: p.name,
        ...(spec.columns.length === 1 ? { column: spec.columns[0] as string } : {}),
        severity: spec.severity,
        sql: testSql(model.quoted, spec, to),
        path: p.path,
      });
    }
  }
  const singularRefs = new Map<string, string[]>();
  for (const root of test_paths.map(abs)) {
    for (const file of listFiles(root, [".sql"])) {
      const path = rel(file);
      const split = splitHeader(readFileSync(file, "utf8"));
      let severity: "error" | "warn" = "error";
      if (split.header !== undefined) {
        const y = parseYamlSource(split.header, split.headerLine);
        const v = (y.value ?? {}) as Record<string, unknown>;
        for (const e of y.errors)
          problems.push({ file: path, line: e.line, message: `header YAML: ${e.message}` });
        const keys = Object.keys(v).filter((k) => k !== "severity" && k !== "description");
        if (keys.length > 0)
          problems.push({
            file: path,
            line: y.lineOf([keys[0] as string]),
            message: `unknown header key "${keys[0]}" (severity, description)`,
          });
        if (v.severity !== undefined && v.severity !== "warn" && v.severity !== "error") {
          problems.push({
            file: path,
            line: y.lineOf(["severity"]),
            message: "severity: expected error or warn",
          });
        } else if (v.severity === "warn") severity = "warn";
      }
      const r = env.compile(split.body)({ file: path, firstLine: split.bodyLine, isIncremental: false });
      problems.push(...r.problems);
      const refs = [...new Set(r.refs.map((x) => x.name))];
      const name = basename(file, ".sql");
      singularRefs.set(name, refs);
      tests.push({
        name,
        kind: "singular",
        ...(refs[0] ? { model: refs[0] } : {}),
        severity,
        sql: cleanSql(r.sql),
        path,
      });
    }
  }
  const names = new Map<string, number>();
  for (const t of tests) {
    const n = names.get(t.name) ?? 0;
    names.set(t.name, n + 1);
    if (n > 0) t.name = `${t.name}_${n + 1}`;
  }

  if (problems.length > 0) throw new CompileError(problems);

  // 6. Selection.
  const selected = selectModels(
    order.map((name) => {
      const m = all.get(name) as PlannedModel;
      return { name, path: m.path, tags: m.config.tags, deps: m.deps };
    }),
    options.select,
    options.exclude,
  );
  const everything = !options.select?.length && !options.exclude?.length;
  const models = order.filter((n) => selected.has(n)).map((n) => all.get(n) as PlannedModel);
  const chosenTests = tests.filter((t) => {
    if (everything) return true;
    if (t.kind === "singular") return (singularRefs.get(t.name) ?? []).some((r) => selected.has(r));
    return t.model !== undefined && selected.has(t.model);
  });
  return { projectDir: dir, models, tests: chosenTests, allModels: all };
}

/** Trailing semicolons and blank lines would break `CREATE ... AS <sql>`. */
function cleanSql(sql: string): string {
  return `${sql.replace(/[\s;]+$/, "")}\n`;
}
