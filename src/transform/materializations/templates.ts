import format from "pg-format";
import type { RelationKind } from "../relation-info.ts";

/**
 * The SQL text of the materializations, one small template each. Relations arrive quoted;
 * column names are quoted here with %I; `sql` is the model's rendered SELECT (it ends in a newline,
 * so a trailing `-- comment` cannot swallow what follows).
 */
const cols = (names: readonly string[]) => names.map((c) => format("%I", c)).join(", ");

export const createSchemaSql = (schema: string) => format("CREATE SCHEMA IF NOT EXISTS %I", schema);

export const viewSql = (relation: string, sql: string, orReplace: boolean) =>
  `CREATE ${orReplace ? "OR REPLACE " : ""}VIEW ${relation} AS\n${sql}`;

export function dropSql(relation: string, kind: RelationKind): string {
  const what = kind === "view" ? "VIEW" : kind === "matview" ? "MATERIALIZED VIEW" : "TABLE";
  return `DROP ${what} ${relation} CASCADE`;
}

export const tempTableSql = (name: string, sql: string) =>
  `CREATE TEMP TABLE ${name} ON COMMIT DROP AS\n${sql}`;

export const createTableAsSql = (relation: string, sql: string) => `CREATE TABLE ${relation} AS\n${sql}`;

export const createContractTableSql = (relation: string, contract: Record<string, string>) =>
  `CREATE TABLE ${relation} (\n${Object.entries(contract)
    .map(([c, type]) => `  ${format("%I", c)} ${type}`)
    .join(",\n")}\n)`;

export const selectColumnsSql = (columns: readonly string[], from: string) =>
  `SELECT ${cols(columns)} FROM ${from}`;

export const insertSelectSql = (relation: string, columns: readonly string[], from: string) =>
  `INSERT INTO ${relation} (${cols(columns)})\n${selectColumnsSql(columns, from)}`;

export const renameSql = (relation: string, to: string) =>
  format(`ALTER TABLE %s RENAME TO %I`, relation, to);

export const primaryKeySql = (relation: string, key: readonly string[]) =>
  `ALTER TABLE ${relation} ADD PRIMARY KEY (${cols(key)})`;

export const indexSql = (relation: string, columns: readonly string[], unique: boolean) =>
  `CREATE ${unique ? "UNIQUE " : ""}INDEX ON ${relation} (${cols(columns)})`;

/** The incremental merge: new and changed rows by key; rowCount = rows merged. */
export function mergeSql(
  relation: string,
  columns: readonly string[],
  key: readonly string[],
  from: string,
): string {
  const insert = insertSelectSql(relation, columns, from);
  if (key.length === 0) return insert;
  const rest = columns.filter((c) => !key.includes(c));
  const action =
    rest.length === 0
      ? "DO NOTHING"
      : `DO UPDATE SET ${rest.map((c) => format("%I = EXCLUDED.%I", c, c)).join(", ")}`;
  return `${insert}\nON CONFLICT (${cols(key)}) ${action}`;
}

/**
 * Stores max(watermark column) in the same transaction as the data — or at least the watermark
 * source's maximum that `floor` (a relation of readFloorSql) kept. A merge only moves it forward (no
 * new rows keeps it); a full build resets it to what the full data holds.
 */
export function saveWatermarkSql(
  model: string,
  column: string,
  from: string,
  reset: boolean,
  floor?: string,
): string {
  const keep = reset ? "EXCLUDED.watermark" : "greatest(elt.model_state.watermark, EXCLUDED.watermark)";
  const value =
    floor === undefined
      ? format("max(%I)", column)
      : format("greatest(max(%I), (SELECT m FROM %s))", column, floor);
  return format(
    `INSERT INTO elt.model_state (model, watermark, updated_at) SELECT %L, (${value})::bigint, now() FROM %s
     ON CONFLICT (model) DO UPDATE SET watermark = ${keep}, updated_at = now()`,
    model,
    from,
  );
}

/**
 * The watermark source's maximum, kept in `name` for saveWatermarkSql: read right before the model's
 * SELECT, so it never runs ahead of what the SELECT read (landing cannot commit during a build: both
 * take the landing transaction lock), and after the models the build wrote before this one.
 */
export const readFloorSql = (name: string, source: { schema: string; table: string; column: string }) =>
  format(
    "CREATE TEMP TABLE %s ON COMMIT DROP AS SELECT max(%I)::bigint AS m FROM %I.%I",
    name,
    source.column,
    source.schema,
    source.table,
  );

export const commentSql = (what: "TABLE" | "VIEW" | "COLUMN", target: string, text: string) =>
  format(`COMMENT ON ${what} %s IS %L`, target, text);

/**
 * Fails the build when a staged relation's columns are not `expected` (exact), or lack one of them
 * (not exact): migration 0070's elt.assert_columns, so a plan made before the SELECT ran stays true.
 */
export const assertColumnsSql = (relation: string, expected: readonly string[], what: string, exact = true) =>
  format(
    "SELECT elt.assert_columns(%L::regclass, ARRAY[%L]::text[], %L, %L)",
    relation,
    expected.length > 0 ? expected : [""],
    what,
    exact,
  );

/** Comments the documented columns the relation has (elt.comment_columns, migration 0070). */
export const commentColumnsSql = (relation: string, comments: Record<string, string>) =>
  format("SELECT elt.comment_columns(%L::regclass, %L::jsonb)", relation, JSON.stringify(comments));

/** Migration 0130: the contract's types where the SELECT's differ, then (after the audits) the rest. */
export const conformTypesSql = (relation: string, shape: string) =>
  format("SELECT elt.conform_types(%L::regclass, %L::regclass)", relation, shape);
export const conformConstraintsSql = (relation: string, shape: string) =>
  format("SELECT elt.conform_constraints(%L::regclass, %L::regclass)", relation, shape);

export const dropColumnSql = (relation: string, column: string) =>
  format("ALTER TABLE %s DROP COLUMN %I", relation, column);

export const tempViewSql = (name: string, sql: string) => `CREATE TEMP VIEW ${name} AS\n${sql}`;

/** A per-model name in pg_temp for its staged rows (temporary tables drop at COMMIT). */
export const tempName = (model: string, what: string) =>
  format("pg_temp.%I", `elt__${what}__${model}`.slice(0, 63));

/** Migration 0100: what depends on a relation, saved before a swap drops it, put back after. */
export const stashDependentsSql = (relation: string) =>
  format("SELECT elt.stash_dependents(%L::regclass)", relation);
export const restoreDependentsSql = (skip: readonly string[], fresh: Readonly<Record<string, string>>) =>
  format(
    "SELECT elt.restore_dependents(ARRAY[%L]::text[], %L::jsonb)",
    skip.length > 0 ? skip : [""],
    JSON.stringify(fresh),
  );
