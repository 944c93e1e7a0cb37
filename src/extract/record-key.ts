import format from "pg-format";

/**
 * SQL for an attempt's identity (extract.record_key) in the record `expr`: md5 of the key fields'
 * JSON texts, comma-separated, as a uuid, or NULL when one is missing or null (such a record cannot conflict: the
 * models quarantine it). Migration 0060 computes the shipped key the same way for older rows.
 */
export function keyHashSql(expr: string, fields: readonly string[]): string {
  const present = fields.map((f) => format("jsonb_typeof(%s -> %L) <> 'null'", expr, f)).join(" AND ");
  // `||`, not jsonb_build_array or concat_ws: those are only STABLE, and the landing table computes
  // this as a generated column, which needs IMMUTABLE. JSON texts delimit themselves.
  const values = fields.map((f) => format("(%s -> %L)::text", expr, f)).join(" || ',' || ");
  return `CASE WHEN ${present} THEN md5(${values})::uuid END`;
}

/** SQL for the key fields of the record `expr` as a JSON object, for people reading conflicts. */
export function recordKeySql(expr: string, fields: readonly string[]): string {
  return `jsonb_build_object(${fields.map((f) => format("%L, %s -> %L", f, expr, f)).join(", ")})`;
}
