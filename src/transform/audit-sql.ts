import format from "pg-format";
import { type TestSpec, testSql } from "./data-test-sql.ts";

const cols = (names: readonly string[]) => names.map((c) => format("%I", c)).join(", ");
const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((c) => b.includes(c));

export interface BatchAudit {
  spec: TestSpec;
  /** The staged batch (a temporary table). */
  batch: string;
  /** The published relation the batch merges into. */
  target: string;
  /** The merge key: a published row with a key of the batch is replaced, not kept. */
  uniqueKey: readonly string[];
  toRelation?: string;
  /** The batch's watermark column: failing rows keep it, so their raw rows can be named. */
  watermark?: string;
}

/**
 * A test's failing rows among the rows a merge is about to publish. Row tests (not_null,
 * accepted_values, expression, relationships) read the batch only. A unique test reads the batch
 * and the published rows holding the same values that the merge keeps (those whose merge key is not
 * in the batch), found through the batch's values, so it costs what the batch costs. `traced`: the
 * failing rows keep the watermark column.
 */
export function batchAuditSql(a: BatchAudit): { sql: string; traced: boolean } {
  const { spec } = a;
  if (spec.kind !== "unique") return { sql: testSql(a.batch, spec, a.toRelation), traced: true };
  const c = cols(spec.columns);
  const present = spec.columns.map((x) => format("%I IS NOT NULL", x)).join(" AND ");
  const trace = a.watermark
    ? format(", array_agg(%I ORDER BY %I) AS %I", a.watermark, a.watermark, a.watermark)
    : "";
  const inBatch = `SELECT ${c}, count(*) AS n${trace} FROM ${a.batch} WHERE ${present} GROUP BY ${c} HAVING count(*) > 1`;
  // The merge replaces published rows by key: when the test's columns are the key, only the batch can collide.
  if (a.uniqueKey.length > 0 && sameSet(spec.columns, a.uniqueKey)) return { sql: inBatch, traced: true };
  const kept =
    a.uniqueKey.length > 0
      ? ` AND NOT EXISTS (SELECT 1 FROM ${a.batch} AS b WHERE ${a.uniqueKey
          .map((k) => format("b.%I = p.%I", k, k))
          .join(" AND ")})`
      : "";
  const pc = spec.columns.map((x) => format("p.%I", x)).join(", ");
  const sql = `WITH elt__batch_values AS (
  SELECT ${c} FROM ${a.batch} WHERE ${present}
), elt__candidates AS (
  SELECT ${c} FROM elt__batch_values
  UNION ALL
  SELECT ${pc} FROM ${a.target} AS p
  WHERE (${pc}) IN (SELECT ${c} FROM elt__batch_values)${kept}
)
SELECT ${c}, count(*) AS n FROM elt__candidates GROUP BY ${c} HAVING count(*) > 1`;
  return { sql, traced: false };
}
