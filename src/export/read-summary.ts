import type { Queryable, Row } from "../db/database.ts";
import { ConfigError, EltError } from "../errors.ts";

export const SUMMARY_RELATION = "grade.daily_summary";

/** The columns of grade.daily_summary in the view's order; fails when the models have not built it. */
export async function summaryColumnNames(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ column_name: string }>(
    `SELECT column_name::text AS column_name FROM information_schema.columns
      WHERE table_schema = 'grade' AND table_name = 'daily_summary' ORDER BY ordinal_position`,
  );
  if (rows.length === 0) {
    throw new EltError(`${SUMMARY_RELATION} does not exist`, {
      code: "NO_SUMMARY",
      exitCode: 1,
      hint: "build the models first: elt model build",
    });
  }
  return rows.map((r) => r.column_name);
}

/** Throws a ConfigError naming configured columns the view does not have. */
export function checkColumns(available: readonly string[], wanted: readonly string[]): void {
  const missing = wanted.filter((c) => !available.includes(c));
  if (missing.length > 0) {
    throw new ConfigError(
      `project.yml: exports.sheets.columns: ${SUMMARY_RELATION} has no column ${missing.map((c) => `"${c}"`).join(", ")}`,
      { code: "CONFIG_INVALID", hint: `available: ${available.join(", ")}` },
    );
  }
}

/** The summary rows of the given days, oldest first; days without attempts have no row. */
export async function readSummary(db: Queryable, days: readonly string[]): Promise<Row[]> {
  if (days.length === 0) return [];
  const { rows } = await db.query(
    `SELECT * FROM ${SUMMARY_RELATION} WHERE day = ANY($1::date[]) ORDER BY day`,
    [days],
  );
  return rows;
}

/** The latest day the summary has, or undefined when it is empty. */
export async function latestSummaryDay(db: Queryable): Promise<string | undefined> {
  const { rows } = await db.query<{ day: string | null }>(`SELECT max(day) AS day FROM ${SUMMARY_RELATION}`);
  return rows[0]?.day ?? undefined;
}
