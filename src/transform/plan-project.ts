import type { ProjectConfig } from "../config/project-schema.ts";
import type { SourceChecks } from "../source-checks/source-check-config.ts";
import { buildOrder } from "./build-order.ts";
import { CompileError, type CompileProblem } from "./compile-error.ts";
import { modelFingerprint } from "./model-fingerprint.ts";
import { dedupeTestNames, type PlannedTest, planConfigTests, planSingularTests } from "./plan-tests.ts";
import { projectFiles } from "./project-files.ts";
import { readModels } from "./read-models.ts";
import { readSidecars } from "./read-sidecars.ts";
import { type PlannedModel, renderModels } from "./render-models.ts";
import { type SelectionState, selectModels } from "./select-models.ts";
import { quoteRelation } from "./sql-literal.ts";
import { TemplateEnv } from "./template-env.ts";
import { type PlannedUnitTest, planUnitTests } from "./unit-tests/plan-unit-tests.ts";

export type { PlannedTest } from "./plan-tests.ts";
export type { PlannedModel } from "./render-models.ts";
export { watermarkSql } from "./render-models.ts";

export interface ProjectPlan {
  projectDir: string;
  /** The selected models in build order (dependencies first). */
  models: PlannedModel[];
  /** Tests of the selected models (all tests without a selection). */
  tests: PlannedTest[];
  /** Unit tests (`unit_tests:`) of the selected models: `elt test --unit`. */
  unitTests: PlannedUnitTest[];
  /** Every enabled model of the project by name, selected or not. */
  allModels: ReadonlyMap<string, PlannedModel>;
  /** Why each selected model is in, when `select` was given (`SQL changed`, `downstream of x`). */
  why: ReadonlyMap<string, string>;
  /** Freshness and drift checks declared on source tables (whatever the selection). */
  sourceChecks: SourceChecks[];
  /**
   * Renders other project SQL (the report SQL of exports.report) with the models' refs, sources,
   * vars and macros, so that SQL names models only as `{{ref}}` does.
   */
  renderSql(body: string, file: string): RenderedSql;
}

export interface RenderedSql {
  sql: string;
  /** Model names it refs. */
  refs: string[];
  problems: CompileProblem[];
}

export interface PlanOptions {
  projectDir: string;
  config: ProjectConfig;
  /** Over project.yml `vars` (from --vars). */
  vars?: Record<string, unknown>;
  select?: string[];
  exclude?: string[];
  /** The last published build's fingerprints, for `state:modified` (read by the caller). */
  state?: SelectionState;
}

/**
 * Discovers the project's models, sources, macros and tests, renders every model (full and
 * incremental), orders them and applies the selection. Pure: reads files, never the database.
 * Every problem in the project is collected and thrown as one CompileError (exit 2).
 */
export function planProject(options: PlanOptions): ProjectPlan {
  const files = projectFiles(options.projectDir);
  const { paths, macro_paths, test_paths } = options.config.models;
  const problems: CompileProblem[] = [];

  const sidecars = readSidecars(files, paths, problems);
  const sources = readModels(files, paths, sidecars.models, problems);

  const relations = new Map<string, string>();
  const owners = new Map<string, string>();
  for (const m of sources) {
    const quoted = quoteRelation(m.config.schema, m.config.alias);
    const owner = owners.get(quoted);
    if (owner)
      problems.push({ file: m.path, message: `relation ${quoted} is also built by model "${owner}"` });
    owners.set(quoted, m.name);
    relations.set(m.name, quoted);
  }

  const vars = { ...options.config.vars, ...(options.vars ?? {}) };
  const macros = macro_paths.map((p) => ({ dir: files.abs(p), rel: files.rel(files.abs(p)) }));
  const env = new TemplateEnv({ models: relations, sources: sidecars.sources, vars }, macros);
  problems.push(...env.problems);

  const { planned, edges } = renderModels(env, sources, relations, problems);
  const { order, problems: cycles } = buildOrder(
    [...planned.values()].map((m) => ({ name: m.name, path: m.path, deps: edges.get(m.name) ?? [] })),
  );
  problems.push(...cycles);

  const tests = [
    ...planConfigTests(sources, relations, sidecars.sources, problems),
    ...planSingularTests(files, test_paths, env, problems),
  ];
  dedupeTestNames(tests);

  // Rendered again over throwaway relations; only a project that renders cleanly is worth it.
  const unitTests =
    problems.length === 0
      ? planUnitTests({ models: sources, relations, sources: sidecars.sources, vars, macros }, problems)
      : [];

  if (problems.length > 0) throw new CompileError(problems);

  const why = new Map<string, string>();
  const selected = selectModels(
    order.map((name) => {
      const m = planned.get(name) as PlannedModel;
      return { name, path: m.path, tags: m.config.tags, deps: m.deps, fingerprint: modelFingerprint(m) };
    }),
    options.select,
    options.exclude,
    options.state,
    why,
  );
  const everything = !options.select?.length && !options.exclude?.length;
  return {
    projectDir: files.dir,
    models: order.filter((n) => selected.has(n)).map((n) => planned.get(n) as PlannedModel),
    // A test runs when a model it reads is selected (a relationships test: the model it is declared on).
    tests: tests.filter((t) =>
      everything
        ? true
        : t.kind === "singular"
          ? t.refs.some((r) => selected.has(r))
          : selected.has(t.model as string),
    ),
    unitTests: unitTests.filter((t) => selected.has(t.model)),
    allModels: planned,
    sourceChecks: sidecars.sourceChecks,
    why,
    renderSql(body, file) {
      const r = env.compile(body)({ file, firstLine: 1, isIncremental: false });
      return { sql: r.sql, refs: [...new Set(r.refs.map((x) => x.name))], problems: r.problems };
    },
  };
}
