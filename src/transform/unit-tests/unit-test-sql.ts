import format from "pg-format";
import type { Column } from "./input-columns.ts";

/** Where the model's output and the expected rows go, inside the test's transaction. */
export const ACTUAL = "pg_temp.unit_actual";
export const EXPECTED = "pg_temp.unit_expected";

/** The column names and types of a relation (a quoted name); none when it does not exist. */
export const COLUMNS_SQL = `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_attribute AS a
 WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum`;

/** No constraints: a test's rows leave out what they do not care about. */
export function createInputSql(table: string, columns: Column[]): string {
  return `CREATE TEMP TABLE ${table} (${columns.map((c) => format("%I %s", c.name, c.type)).join(", ")})`;
}

/** A given SELECT whose columns nothing else tells: it makes the table. */
export function createInputAsSql(table: string, select: string): string {
  return `CREATE TEMP TABLE ${table} AS\n${select.replace(/[\s;]+$/, "")}\n`;
}

/**
 * Rows go in as one JSON parameter ($1): json_populate_recordset casts each value to its column's
 * type (text to timestamp, an object to jsonb) and leaves missing keys NULL.
 */
export function insertRowsSql(table: string): string {
  return `INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`;
}

/** A given SELECT goes in by column name, through JSON like rows do, so unnamed columns are NULL. */
export function insertSelectSql(table: string, select: string): string {
  return `INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table},
  (SELECT coalesce(json_agg(s), '[]') FROM (\n${select}\n) AS s))`;
}

export function createActualSql(modelSql: string): string {
  return `CREATE TEMP TABLE ${ACTUAL} AS\n${modelSql}`;
}

/** Expected rows take the model's column types ($1 is the rows' JSON). */
export function createExpectedSql(expect: { rows?: unknown[]; sql?: string }): string {
  return expect.sql !== undefined
    ? `CREATE TEMP TABLE ${EXPECTED} AS\n${expect.sql.replace(/[\s;]+$/, "")}\n`
    : `CREATE TEMP TABLE ${EXPECTED} AS SELECT * FROM json_populate_recordset(NULL::${ACTUAL}, $1::json)`;
}

/**
 * Each compared column as the text of its value in the model's type: both sides read alike. A
 * numeric's text keeps its scale (3.50 is not 3.5 as text), so it loses trailing zeros first.
 */
export function readTextSql(table: string, columns: Column[]): string {
  const text = (c: Column) =>
    /^numeric\b/.test(c.type)
      ? format("trim_scale(CAST(%I AS %s))::text AS %I", c.name, c.type, c.name)
      : format("CAST(%I AS %s)::text AS %I", c.name, c.type, c.name);
  return `SELECT ${columns.map(text).join(", ")} FROM ${table}`;
}
