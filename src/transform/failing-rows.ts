import type { Queryable } from "../db/database.ts";
import { jsonSafeRows } from "./json-safe-rows.ts";

export interface FailingRows {
  failures: number;
  /** Up to `sampleRows` of them, safe for JSON. */
  sample: Record<string, unknown>[];
}

/**
 * The failing rows a test's SQL returns: a sample and how many in all. The sample is read first with
 * one row more than kept; only when that extra row is there is the whole count read, so a passing
 * test runs its SQL once. `at.statement` is the statement last sent, to point an error at the source.
 */
export async function failingRows(
  q: Queryable,
  sql: string,
  sampleRows: number,
  at: { statement: string },
): Promise<FailingRows> {
  at.statement = `SELECT * FROM (\n${sql}\n) AS elt__failures LIMIT ${sampleRows + 1}`;
  const { rows } = await q.query(at.statement);
  let failures = rows.length;
  if (failures > sampleRows) {
    at.statement = `SELECT count(*)::bigint AS n FROM (\n${sql}\n) AS elt__failures`;
    const count = await q.query<{ n: number }>(at.statement);
    failures = Number(count.rows[0]?.n ?? 0);
  }
  return { failures, sample: jsonSafeRows(rows.slice(0, sampleRows)) };
}
