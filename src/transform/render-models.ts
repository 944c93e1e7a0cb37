import type { CompileProblem } from "./compile-error.ts";
import type { ModelConfig } from "./model-config.ts";
import type { ModelSource } from "./read-models.ts";
import { sqlLiteral } from "./sql-literal.ts";
import type { SqlSourceMap } from "./sql-source-map.ts";
import type { TemplateEnv } from "./template-env.ts";

export interface PlannedModel {
  name: string;
  /** Project-relative path with forward slashes: `models/staging/stg_orders.sql`. */
  path: string;
  relation: { schema: string; name: string };
  /** The relation as SQL (pg-format %I: quoted only when needed), as `{{ref}}` renders it. */
  quoted: string;
  config: ModelConfig;
  /** Rendered for a full build (is_incremental false). */
  sql: string;
  /** Rendered with is_incremental true (same as `sql` unless the model branches on it). */
  incrementalSql: string;
  /** Where each character of `sql` / `incrementalSql` came from, for database errors (when known). */
  sqlMap?: SqlSourceMap;
  incrementalSqlMap?: SqlSourceMap;
  /** Models it refs (all of them, selected or not). */
  deps: string[];
  /** `source.table` it reads. */
  sources: string[];
}

/** SQL `{{watermark}}` renders on an incremental run: the state stored after the last merge. */
export function watermarkSql(model: string): string {
  return `(SELECT coalesce(max(watermark), 0) FROM elt.model_state WHERE model = ${sqlLiteral(model)})`;
}

/** Trailing semicolons and blank lines would break `CREATE ... AS <sql>`; a final newline ends any `--` comment. */
export function cleanSql(sql: string): string {
  return `${sql.replace(/[\s;]+$/, "")}\n`;
}

/**
 * Renders each model twice (full build, and incremental with `is_incremental` true and the
 * `{{watermark}}` state lookup), collecting refs with their lines for the DAG.
 */
export function renderModels(
  env: TemplateEnv,
  models: ModelSource[],
  relations: ReadonlyMap<string, string>,
  problems: CompileProblem[],
): { planned: Map<string, PlannedModel>; edges: Map<string, { name: string; line?: number }[]> } {
  const planned = new Map<string, PlannedModel>();
  const edges = new Map<string, { name: string; line?: number }[]>();
  for (const m of models) {
    const render = env.compile(m.body);
    const quoted = relations.get(m.name) as string;
    const base = { file: m.path, firstLine: m.bodyLine, self: quoted };
    const wm = m.config.watermark;
    const full = render({ ...base, isIncremental: false, ...(wm ? { watermark: "0" } : {}) });
    const incr = render({ ...base, isIncremental: true, ...(wm ? { watermark: watermarkSql(m.name) } : {}) });
    const seen = new Set(full.problems.map((x) => `${x.line}:${x.message}`));
    problems.push(...full.problems, ...incr.problems.filter((x) => !seen.has(`${x.line}:${x.message}`)));
    const refs = [...full.refs, ...incr.refs];
    edges.set(m.name, refs);
    planned.set(m.name, {
      name: m.name,
      path: m.path,
      relation: { schema: m.config.schema, name: m.config.alias },
      quoted,
      config: m.config,
      sql: cleanSql(full.sql),
      incrementalSql: cleanSql(incr.sql),
      // cleanSql keeps a prefix of the rendering, so its map still holds.
      ...(full.map ? { sqlMap: full.map } : {}),
      ...(incr.map ? { incrementalSqlMap: incr.map } : {}),
      deps: [...new Set(refs.map((r) => r.name))],
      sources: [...new Set([...full.sources, ...incr.sources])],
    });
  }
  return { planned, edges };
}
