import type { PlannedTest } from "./plan-tests.ts";
import type { PlannedModel } from "./render-models.ts";
import type { SqlSourceMap } from "./sql-source-map.ts";

/** Where a statement's SQL comes from, so its database errors can point there (point-at-source.ts). */
export interface SqlOrigin {
  /** Named when the error cannot be placed in a template: the model's file, or where a test is declared. */
  file: string;
  line?: number;
  /** The template renderings the statement may embed, each with its map (none for generated SQL). */
  rendered: { sql: string; map: SqlSourceMap }[];
}

const withMap = (sql: string, map: SqlSourceMap | undefined) => (map ? [{ sql, map }] : []);

/** A model's file, and both its renderings: a step embeds one of them. */
export const modelOrigin = (m: PlannedModel): SqlOrigin => ({
  file: m.path,
  rendered: [...withMap(m.sql, m.sqlMap), ...withMap(m.incrementalSql, m.incrementalSqlMap)],
});

/** A singular test's file and rendering; a config test's SQL is generated: the line declaring it. */
export const testOrigin = (t: PlannedTest): SqlOrigin =>
  t.declared
    ? { file: t.declared.file, ...(t.declared.line ? { line: t.declared.line } : {}), rendered: [] }
    : { file: t.path, rendered: withMap(t.sql, t.sqlMap) };
