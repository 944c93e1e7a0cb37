import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { CompileProblem } from "./compile-error.ts";
import { parseTestEntry, type TestKind, type TestSpec, testName, testSql } from "./data-test-sql.ts";
import { listFiles, type ProjectFiles } from "./project-files.ts";
import type { ModelSource } from "./read-models.ts";
import { cleanSql } from "./render-models.ts";
import { splitHeader } from "./split-header.ts";
import type { SqlSourceMap } from "./sql-source-map.ts";
import type { TemplateEnv } from "./template-env.ts";
import { parseYamlSource } from "./yaml-source.ts";

export interface PlannedTest {
  name: string;
  kind: TestKind | "singular";
  /** The model it checks (for a singular test: the first model it refs). */
  model?: string;
  column?: string;
  severity: "error" | "warn";
  /** What a build audits (see TestSpec.scope); singular tests read whole relations. */
  scope: "batch" | "full";
  /** Returns the failing rows, over whole relations (`elt test`). */
  sql: string;
  /** A config test's spec and, for relationships, the parent relation: a build audits with them. */
  spec?: TestSpec;
  toRelation?: string;
  /** Where it is declared. */
  path: string;
  /** The line declaring a config test (in the model's header or its yml, which `file` names). */
  declared?: { file: string; line?: number };
  /** A singular test's rendering map, for database errors (see PlannedModel.sqlMap). */
  sqlMap?: SqlSourceMap;
  /** Models it reads (selection runs a test when one of them is selected). */
  refs: string[];
}

/** `to: stg_x`, `to: raw.api_attempts` (a source), or dbt's `ref('stg_x')` / `source('raw', 't')`. */
function targetName(to: string): string {
  return to
    .replace(/^ref\(\s*['"]([^'"]+)['"]\s*\)$/, "$1")
    .replace(/^source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)$/, "$1.$2");
}

/** The tests declared in model configs (`columns.<c>.tests` and `tests`). */
export function planConfigTests(
  models: ModelSource[],
  relations: ReadonlyMap<string, string>,
  sources: ReadonlyMap<string, string>,
  problems: CompileProblem[],
): PlannedTest[] {
  const tests: PlannedTest[] = [];
  for (const m of models) {
    const relation = relations.get(m.name) as string;
    const declared = [
      ...Object.entries(m.config.columns).flatMap(([column, c]) =>
        c.tests.map((entry, i) => ({ entry, column, key: ["columns", column, "tests", i] })),
      ),
      ...m.config.tests.map((entry, i) => ({ entry, column: undefined, key: ["tests", i] })),
    ];
    for (const { entry, column, key } of declared) {
      const spec = parseTestEntry(entry, column);
      if (typeof spec === "string") {
        problems.push({
          ...m.locate(key),
          message: `test${column ? ` on ${column}` : ""}: ${spec} (model ${m.name})`,
        });
        continue;
      }
      let to: string | undefined;
      const refs = [m.name];
      if (spec.kind === "relationships") {
        const target = targetName(spec.to as string);
        to = relations.get(target) ?? sources.get(target);
        if (!to) {
          const message = `test relationships: unknown model or source "${spec.to}" (model ${m.name})`;
          problems.push({ ...m.locate(key), message });
          continue;
        }
        if (relations.has(target)) refs.push(target);
      }
      tests.push({
        name: testName(m.name, spec),
        kind: spec.kind,
        model: m.name,
        ...(spec.columns.length === 1 ? { column: spec.columns[0] as string } : {}),
        severity: spec.severity,
        scope: spec.scope,
        sql: testSql(relation, spec, to),
        spec,
        ...(to ? { toRelation: to } : {}),
        path: m.path,
        declared: m.locate(key),
        refs,
      });
    }
  }
  return tests;
}

/** `tests/*.sql`: a SELECT of failing rows, rendered like a model; optional `severity` header. */
export function planSingularTests(
  files: ProjectFiles,
  roots: string[],
  env: TemplateEnv,
  problems: CompileProblem[],
): PlannedTest[] {
  const tests: PlannedTest[] = [];
  for (const file of roots.flatMap((root) => listFiles(files.abs(root), [".sql"]))) {
    const path = files.rel(file);
    const split = splitHeader(readFileSync(file, "utf8"));
    let severity: "error" | "warn" = "error";
    if (split.header !== undefined) {
      const y = parseYamlSource(split.header, split.headerLine);
      for (const e of y.errors)
        problems.push({ file: path, line: e.line, message: `header YAML: ${e.message}` });
      const v = (y.value ?? {}) as Record<string, unknown>;
      for (const k of Object.keys(v).filter((k) => k !== "severity" && k !== "description")) {
        problems.push({
          file: path,
          line: y.lineOf([k]),
          message: `unknown header key "${k}" (severity, description)`,
        });
      }
      if (v.severity === "warn") severity = "warn";
      else if (v.severity !== undefined && v.severity !== "error") {
        problems.push({
          file: path,
          line: y.lineOf(["severity"]),
          message: "severity: expected error or warn",
        });
      }
    }
    const r = env.compile(split.body)({ file: path, firstLine: split.bodyLine, isIncremental: false });
    problems.push(...r.problems);
    const refs = [...new Set(r.refs.map((x) => x.name))];
    tests.push({
      name: basename(file, ".sql"),
      kind: "singular",
      ...(refs[0] ? { model: refs[0] } : {}),
      severity,
      scope: "full",
      sql: cleanSql(r.sql),
      path,
      ...(r.map ? { sqlMap: r.map } : {}),
      refs,
    });
  }
  return tests;
}

/** Test names are unique: a second `unique_x_y` becomes `unique_x_y_2`. */
export function dedupeTestNames(tests: PlannedTest[]): void {
  const names = new Map<string, number>();
  for (const t of tests) {
    const n = names.get(t.name) ?? 0;
    names.set(t.name, n + 1);
    if (n > 0) t.name = `${t.name}_${n + 1}`;
  }
}
