import type { ModelConfig } from "../transform/model-config.ts";
import type { PlannedModel, PlannedTest, ProjectPlan } from "../transform/plan-project.ts";
import type { ExportDoc } from "./export-lineage.ts";
import type { LastBuild, LastTestResult, Ledger } from "./ledger.ts";
import type { ProjectDocs, SourceTableDoc } from "./read-project-docs.ts";

export type NodeKind = "source" | "model" | "tests" | "test" | "export";
/** A node's colour: a build's or the worst test result's, `none` when the ledger has nothing. */
export type NodeStatus = "success" | "failed" | "skipped" | "pass" | "warn" | "fail" | "none";

export interface LineageNode {
  /** Also the id of its section in the page, and its address: `#model:my_model`. */
  id: string;
  kind: NodeKind;
  label: string;
  /** A second line: materialization, test count, relation. */
  detail: string;
  status: NodeStatus;
  /** The section a click opens (a model's tests open the model). */
  href: string;
}

export interface LineageEdge {
  from: string;
  to: string;
}

export interface ColumnDoc {
  name: string;
  description?: string;
  /** From the model's contract, when it has one. */
  type?: string;
  /** Names of the tests declared on this column alone. */
  tests: string[];
}

export interface ModelDoc {
  name: string;
  path: string;
  relation: string;
  materialized: ModelConfig["materialized"];
  description?: string;
  tags: string[];
  /** The config keys that are set, as text: `[["unique_key", "user_id, created_at"], …]`. */
  config: [string, string][];
  columns: ColumnDoc[];
  /** Node ids it reads and that read it. */
  upstream: string[];
  downstream: string[];
  /** The file as written. */
  source: string;
  compiledSql: string;
  /** Present when the incremental build renders differently. */
  incrementalSql?: string;
  tests: string[];
  lastBuild?: LastBuild;
}

export interface TestDoc {
  name: string;
  kind: PlannedTest["kind"];
  model?: string;
  column?: string;
  severity: "error" | "warn";
  path: string;
  refs: string[];
  sql: string;
  last?: LastTestResult;
}

export interface SourceDoc extends SourceTableDoc {
  downstream: string[];
}

export interface ExportNodeDoc extends ExportDoc {
  /** Node ids of the models (or sources) it reads; a relation no model builds is only named. */
  upstream: string[];
}

/** Everything the site shows, as plain JSON: printed as manifest.json beside the site. */
export interface DocsManifest {
  project: string;
  generatedAt: string;
  ledger: { available: true } | { available: false; reason: string };
  models: ModelDoc[];
  sources: SourceDoc[];
  tests: TestDoc[];
  exports: ExportNodeDoc[];
  nodes: LineageNode[];
  edges: LineageEdge[];
}

export interface ManifestInput {
  project: string;
  plan: ProjectPlan;
  files: ProjectDocs;
  exports: ExportDoc[];
  ledger: Ledger;
  generatedAt: Date;
}

export const nodeId = {
  model: (name: string) => `model:${name}`,
  source: (key: string) => `source:${key}`,
  tests: (model: string) => `tests:${model}`,
  test: (name: string) => `test:${name}`,
  export: (name: string) => `export:${name}`,
};

const list = (v: readonly string[]) => v.join(", ");

function configRows(c: ModelConfig): [string, string][] {
  const rows: [string, string | undefined][] = [
    ["materialized", c.materialized],
    ["schema", c.schema],
    ["alias", c.alias],
    ["unique_key", list(c.unique_key)],
    ["primary_key", list(c.primary_key)],
    ["watermark", c.watermark],
    ["watermark_source", c.watermarkSource && Object.values(c.watermarkSource).join(".")],
    ["indexes", c.indexes.map((i) => `${i.unique ? "unique " : ""}(${list(i.columns)})`).join("; ")],
    ["tags", list(c.tags)],
    ["meta", c.meta && JSON.stringify(c.meta)],
  ];
  return rows.filter((r): r is [string, string] => Boolean(r[1]));
}

/** Columns documented in the config, then any only the contract names, in the contract's order. */
function columnDocs(m: PlannedModel, tests: readonly PlannedTest[]): ColumnDoc[] {
  const contract = m.config.contract ?? {};
  const names = [...new Set([...Object.keys(m.config.columns), ...Object.keys(contract)])];
  return names.map((name) => {
    const description = m.config.columns[name]?.description;
    const type = contract[name];
    return {
      name,
      ...(description ? { description } : {}),
      ...(type ? { type } : {}),
      tests: tests.filter((t) => t.model === m.name && t.column === name).map((t) => t.name),
    };
  });
}

/** The worst of a model's test results: an error-severity failure is `fail`, a warn-severity one `warn`. */
function testsStatus(tests: readonly TestDoc[]): NodeStatus {
  const results = tests.map((t) => t.last);
  if (results.some((r) => r && r.status !== "pass" && (r.severity ?? "error") === "error")) return "fail";
  if (results.some((r) => r && r.status !== "pass")) return "warn";
  if (results.length > 0 && results.every((r) => r?.status === "pass")) return "pass";
  return "none";
}

function buildStatus(b: LastBuild | undefined): NodeStatus {
  return b?.status === "success" || b?.status === "failed" || b?.status === "skipped" ? b.status : "none";
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * The docs of a planned project: every model with its config, columns, SQL and last build; the
 * sources, tests and exports; and the lineage graph between them (sources → models → tests, and
 * models → exports). Pure: the plan, the files' docs, the exporters and the ledger come in.
 */
export function buildDocsManifest(input: ManifestInput): DocsManifest {
  const { plan, files, ledger } = input;
  const builds = ledger.available ? ledger.builds : {};
  const results = ledger.available ? ledger.tests : {};
  const models = plan.models;
  const byRelation = new Map(models.map((m) => [`${m.relation.schema}.${m.relation.name}`, m.name]));
  const sourceByRelation = new Map(files.sources.map((s) => [s.relation, s.key]));

  const tests: TestDoc[] = plan.tests.map((t) => {
    const last = results[t.name];
    return {
      name: t.name,
      kind: t.kind,
      ...(t.model ? { model: t.model } : {}),
      ...(t.column ? { column: t.column } : {}),
      severity: t.severity,
      path: t.path,
      refs: t.refs,
      sql: t.sql,
      ...(last ? { last } : {}),
    };
  });

  const nodes: LineageNode[] = [];
  const edges: LineageEdge[] = [];
  const edge = (from: string, to: string) => {
    if (!edges.some((e) => e.from === from && e.to === to)) edges.push({ from, to });
  };

  for (const s of files.sources) {
    const id = nodeId.source(s.key);
    nodes.push({ id, kind: "source", label: s.key, detail: "source", status: "none", href: id });
  }
  for (const m of models) {
    const id = nodeId.model(m.name);
    nodes.push({
      id,
      kind: "model",
      label: m.name,
      detail: m.config.materialized,
      status: buildStatus(builds[m.name]),
      href: id,
    });
    for (const s of m.sources) edge(nodeId.source(s), id);
    for (const d of m.deps) edge(nodeId.model(d), id);
  }
  // A model's declared tests are one node (a project easily has dozens); a singular test reading
  // several models is a node of its own.
  for (const m of models) {
    const own = tests.filter((t) => t.kind !== "singular" && t.model === m.name);
    if (own.length === 0) continue;
    const id = nodeId.tests(m.name);
    nodes.push({
      id,
      kind: "tests",
      label: `${m.name} tests`,
      detail: plural(own.length, "test"),
      status: testsStatus(own),
      href: nodeId.model(m.name),
    });
    for (const t of own) for (const r of t.refs) edge(nodeId.model(r), id);
  }
  for (const t of tests.filter((t) => t.kind === "singular")) {
    const id = nodeId.test(t.name);
    nodes.push({ id, kind: "test", label: t.name, detail: "test", status: testsStatus([t]), href: id });
    for (const r of t.refs) edge(nodeId.model(r), id);
  }
  const exports: ExportNodeDoc[] = input.exports.map((x) => {
    const upstream = x.reads.flatMap((rel) => {
      const model = byRelation.get(rel);
      const source = sourceByRelation.get(rel);
      return model ? [nodeId.model(model)] : source ? [nodeId.source(source)] : [];
    });
    const id = nodeId.export(x.name);
    nodes.push({
      id,
      kind: "export",
      label: x.name,
      detail: x.configured ? "export" : "export (not configured)",
      status: "none",
      href: id,
    });
    for (const u of upstream) edge(u, id);
    return { ...x, upstream };
  });

  const known = new Set(nodes.map((n) => n.id));
  const kept = edges.filter((e) => known.has(e.from) && known.has(e.to));
  const upstream = (id: string) => kept.filter((e) => e.to === id).map((e) => e.from);
  const downstream = (id: string) => kept.filter((e) => e.from === id).map((e) => e.to);

  return {
    project: input.project,
    generatedAt: input.generatedAt.toISOString(),
    ledger: ledger.available ? { available: true } : { available: false, reason: ledger.reason },
    models: models.map((m) => {
      const id = nodeId.model(m.name);
      const lastBuild = builds[m.name];
      const description = m.config.description;
      return {
        name: m.name,
        path: m.path,
        relation: `${m.relation.schema}.${m.relation.name}`,
        materialized: m.config.materialized,
        ...(description ? { description } : {}),
        tags: m.config.tags,
        config: configRows(m.config),
        columns: columnDocs(m, plan.tests),
        upstream: upstream(id),
        downstream: downstream(id),
        source: files.templates[m.name] ?? "",
        compiledSql: m.sql,
        ...(m.incrementalSql !== m.sql ? { incrementalSql: m.incrementalSql } : {}),
        tests: tests.filter((t) => t.refs.includes(m.name)).map((t) => t.name),
        ...(lastBuild ? { lastBuild } : {}),
      };
    }),
    sources: files.sources.map((s) => ({ ...s, downstream: downstream(nodeId.source(s.key)) })),
    tests,
    exports,
    nodes,
    edges: kept,
  };
}
