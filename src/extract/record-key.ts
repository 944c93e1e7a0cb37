import format from "pg-format";

// A key field that should hold a time must look like one: two malformed records of one user with
// the same unreadable created_at ("not a date") are not one attempt sent twice.
const TIME_TEXT = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}";
/** TIME_TEXT for record-identity.ts, which computes the same key in Node. */
export const TIME_TEXT_RE = new RegExp(TIME_TEXT);

/**
 * SQL for an attempt's identity (extract.record_key) in the record `expr`: md5 of the key fields'
 * JSON texts, comma-separated, as a uuid; NULL when one is missing or null, or when the time field
 * (extract.record_time), if it is a key field, is not a time. Such a record cannot conflict (the
 * models quarantine it). Landing computes the same in Node (record-identity.ts); migration 0060
 * computed the shipped key this way for older rows.
 */
export function keyHashSql(expr: string, fields: readonly string[], timeField?: string): string {
  const present = fields.map((f) => format("jsonb_typeof(%s -> %L) <> 'null'", expr, f));
  if (timeField && fields.includes(timeField))
    present.push(format("(%s ->> %L) ~ %L", expr, timeField, TIME_TEXT));
  // `||`, not jsonb_build_array or concat_ws: those are only STABLE, and an expression index or
  // generated column would need IMMUTABLE. JSON texts delimit themselves.
  const values = fields.map((f) => format("(%s -> %L)::text", expr, f)).join(" || ',' || ");
  return `CASE WHEN ${present.join(" AND ")} THEN md5(${values})::uuid END`;
}

/** SQL for the key fields of the record `expr` as a JSON object, for people reading conflicts. */
export function recordKeySql(expr: string, fields: readonly string[]): string {
  return `jsonb_build_object(${fields.map((f) => format("%L, %s -> %L", f, expr, f)).join(", ")})`;
}
