import format from "pg-format";
import type { Queryable, Row } from "../db/database.ts";
import { ConfigError, EltError } from "../errors.ts";
import type { ExportedModel } from "./exported-model.ts";

const ident = (name: string) => format("%I", name);

/** The exported model's columns in the relation's order; fails when the models have not built it. */
export async function summaryColumnNames(db: Queryable, model: ExportedModel): Promise<string[]> {
  const { rows } = await db.query<{ column_name: string }>(
    `SELECT column_name::text AS column_name FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [model.schema, model.table],
  );
  if (rows.length === 0) {
    throw new EltError(`${model.relation} does not exist`, {
      code: "NO_SUMMARY",
      exitCode: 1,
      hint: "build the models first: elt model build",
    });
  }
  return rows.map((r) => r.column_name);
}

/** Throws a ConfigError naming configured columns the relation does not have. */
export function checkColumns(
  model: ExportedModel,
  available: readonly string[],
  wanted: readonly string[],
): void {
  const missing = wanted.filter((c) => !available.includes(c));
  if (missing.length > 0) {
    throw new ConfigError(
      `project.yml: exports.sheets.columns: ${model.relation} has no column ${missing.map((c) => `"${c}"`).join(", ")}`,
      { code: "CONFIG_INVALID", hint: `available: ${available.join(", ")}` },
    );
  }
}

/** The rows of the given days, oldest first; days without attempts have no row. */
export async function readSummary(
  db: Queryable,
  model: ExportedModel,
  days: readonly string[],
): Promise<Row[]> {
  if (days.length === 0) return [];
  const day = ident(model.dateColumn);
  const { rows } = await db.query(
    `SELECT * FROM ${model.relation} WHERE ${day} = ANY($1::date[]) ORDER BY ${day}`,
    [days],
  );
  return rows;
}

/** The latest day the relation has, or undefined when it is empty. */
export async function latestSummaryDay(db: Queryable, model: ExportedModel): Promise<string | undefined> {
  const { rows } = await db.query<{ day: string | null }>(
    `SELECT max(${ident(model.dateColumn)}) AS day FROM ${model.relation}`,
  );
  return rows[0]?.day ?? undefined;
}
