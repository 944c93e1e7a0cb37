import format from "pg-format";

/** A JS value as SQL: numbers bare, booleans TRUE/FALSE, null NULL, text quoted (pg-format %L). */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : format("%L", String(value));
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  return format("%L", value as string);
}

export function quoteRelation(schema: string, name: string): string {
  return format("%I.%I", schema, name);
}
