import format from "pg-format";
import type { CompileProblem } from "../compile-error.ts";
import type { ModelSource } from "../read-models.ts";
import { cleanSql } from "../render-models.ts";
import { sqlLiteral } from "../sql-literal.ts";
import type { SqlSourceMap } from "../sql-source-map.ts";
import { TemplateEnv } from "../template-env.ts";
import { type Column, contractColumns } from "./input-columns.ts";

/** One relation the model reads, replaced by a temporary table holding the test's rows. */
export interface UnitTestInput {
  /** As the test names it (`ref('x')`, `raw.api_attempts`, `this`), for messages. */
  input: string;
  /** The temporary table the rendered model reads instead, quoted: `pg_temp.given_x`. */
  table: string;
  /** The relation it stands for, quoted: where the column types come from when it exists. */
  standsFor: string;
  /** The model's `contract:` columns, which win over the relation's (the code is newer than the database). */
  contract?: Column[];
  rows?: Record<string, unknown>[];
  sql?: string;
}

export interface PlannedUnitTest {
  name: string;
  model: string;
  description?: string;
  /** Where the test is declared (the model's header or its yml). */
  declared: { file: string; line?: number };
  isIncremental: boolean;
  /** The model rendered over the inputs' temporary tables. */
  sql: string;
  sqlMap?: SqlSourceMap;
  /** Every relation the rendering reads: the given ones with their rows, the rest empty. */
  inputs: UnitTestInput[];
  expect: { rows?: Record<string, unknown>[]; sql?: string };
}

export interface UnitTestProject {
  models: ModelSource[];
  /** Model name → quoted relation, as the project renders it. */
  relations: ReadonlyMap<string, string>;
  /** `source.table` → quoted relation. */
  sources: ReadonlyMap<string, string>;
  vars: Readonly<Record<string, unknown>>;
  macros: { dir: string; rel: string }[];
}

const tempTable = (name: string) => format("pg_temp.%I", `given_${name.replace(/\./g, "__")}`);
const THIS = tempTable("this");

type Fill = { rows?: Record<string, unknown>[]; sql?: string };
type Target = { kind: "model" | "source"; key: string } | { kind: "this" };

/** `ref('x')` / `x` → model x; `source('raw', 't')` / `raw.t` → source raw.t; `this`. */
export function parseInput(text: string): Target {
  const t = text.trim();
  if (t === "this") return { kind: "this" };
  const ref = /^ref\(\s*['"]([^'"]+)['"]\s*\)$/.exec(t);
  if (ref) return { kind: "model", key: ref[1] as string };
  const src = /^source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)$/.exec(t);
  if (src) return { kind: "source", key: `${src[1]}.${src[2]}` };
  return t.includes(".") ? { kind: "source", key: t } : { kind: "model", key: t };
}

/**
 * Each unit test as the model rendered with every `ref`/`source` pointing at a temporary table, and
 * the rows (or SELECT) to fill each one. Pure: which column types the tables get is the runner's
 * business (it can read the database).
 */
export function planUnitTests(project: UnitTestProject, problems: CompileProblem[]): PlannedUnitTest[] {
  const withTests = project.models.filter((m) => m.config.unitTests.length > 0);
  if (withTests.length === 0) return [];
  const byName = new Map(project.models.map((m) => [m.name, m]));
  // One environment for every test: the relation maps are the same for all; only vars change, and
  // the helpers read them at render time.
  const models = new Map([...project.relations.keys()].map((n) => [n, tempTable(n)]));
  const sources = new Map([...project.sources.keys()].map((k) => [k, tempTable(k)]));
  const vars: Record<string, unknown> = {};
  const env = new TemplateEnv({ models, sources, vars }, project.macros);

  const out: PlannedUnitTest[] = [];
  for (const m of withTests) {
    const render = env.compile(m.body);
    m.config.unitTests.forEach((t, i) => {
      const at = (...key: (string | number)[]) => m.locate(["unit_tests", i, ...key]);
      const where = `(unit test ${t.name} of ${m.name})`;
      for (const k of Object.keys(vars)) delete vars[k];
      Object.assign(vars, project.vars, t.vars ?? {});
      const wm = m.config.watermark;
      const rendered = render({
        file: m.path,
        firstLine: m.bodyLine,
        self: THIS,
        isIncremental: t.is_incremental,
        ...(wm ? { watermark: sqlLiteral(t.watermark ?? 0) } : {}),
      });
      for (const p of rendered.problems) problems.push({ ...p, message: `${p.message} ${where}` });

      const read = new Set([
        ...rendered.refs.map((r) => `model:${r.name}`),
        ...rendered.sources.map((s) => `source:${s}`),
      ]);
      const inputs = new Map<string, UnitTestInput>();
      const thisInput = (input: string, fill: Fill): UnitTestInput => ({
        input,
        table: THIS,
        standsFor: project.relations.get(m.name) as string,
        ...contractOf(m),
        ...fill,
      });
      t.given.forEach((g, j) => {
        const target = parseInput(g.input);
        const id = target.kind === "this" ? "this" : `${target.kind}:${target.key}`;
        const message = givenProblem(target, id, {
          project,
          byName,
          read,
          inputs,
          incremental: t.is_incremental,
        });
        if (message) {
          const key = `unit_tests.${i}.given.${j}.input`;
          problems.push({ ...at("given", j, "input"), message: `${key}: ${message} ${where}` });
          return;
        }
        const fill = { ...(g.rows ? { rows: g.rows } : {}), ...(g.sql ? { sql: g.sql } : {}) };
        inputs.set(
          id,
          target.kind === "this"
            ? thisInput(g.input, fill)
            : inputFor(project, byName, target, g.input, fill),
        );
      });
      // What the model reads but the test does not give is there, empty.
      for (const r of read) {
        if (inputs.has(r)) continue;
        const [kind, key] = r.split(/:(.*)/s) as ["model" | "source", string];
        const input = kind === "model" ? `ref('${key}')` : key;
        inputs.set(r, inputFor(project, byName, { kind, key }, input, { rows: [] }));
      }
      if (t.is_incremental && !inputs.has("this")) inputs.set("this", thisInput("this", { rows: [] }));
      out.push({
        name: t.name,
        model: m.name,
        ...(t.description !== undefined ? { description: t.description } : {}),
        declared: at("name"),
        isIncremental: t.is_incremental,
        sql: cleanSql(rendered.sql),
        ...(rendered.map ? { sqlMap: rendered.map } : {}),
        inputs: [...inputs.values()],
        expect: {
          ...(t.expect.rows ? { rows: t.expect.rows } : {}),
          ...(t.expect.sql ? { sql: t.expect.sql } : {}),
        },
      });
    });
  }
  return out;
}

/** Why a `given` entry cannot stand for anything the model reads, if it cannot. */
function givenProblem(
  target: Target,
  id: string,
  c: {
    project: UnitTestProject;
    byName: ReadonlyMap<string, ModelSource>;
    read: ReadonlySet<string>;
    inputs: ReadonlyMap<string, UnitTestInput>;
    incremental: boolean;
  },
): string | undefined {
  if (target.kind === "this") {
    if (!c.incremental) return "`this` is read only with is_incremental: true";
    return c.inputs.has(id) ? "this is given twice" : undefined;
  }
  if (target.kind === "model" && !c.byName.has(target.key)) return `unknown model "${target.key}"`;
  if (target.kind === "source" && !c.project.sources.has(target.key))
    return `unknown source "${target.key}" (declare it under sources: in a yml)`;
  if (!c.read.has(id)) return `the model does not read ${target.key}${c.incremental ? " (incremental)" : ""}`;
  return c.inputs.has(id) ? `${target.key} is given twice` : undefined;
}

function contractOf(m: ModelSource | undefined): { contract?: Column[] } {
  return m?.config.contract ? { contract: contractColumns(m.config.contract) } : {};
}

function inputFor(
  project: UnitTestProject,
  byName: ReadonlyMap<string, ModelSource>,
  target: { kind: "model" | "source"; key: string },
  input: string,
  fill: Fill,
): UnitTestInput {
  const standsFor =
    target.kind === "model"
      ? (project.relations.get(target.key) as string)
      : (project.sources.get(target.key) as string);
  const model = target.kind === "model" ? byName.get(target.key) : undefined;
  return { input, table: tempTable(target.key), standsFor, ...contractOf(model), ...fill };
}
