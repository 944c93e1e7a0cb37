import type { Queryable } from "../db/database.ts";

export type RelationKind = "table" | "view" | "matview" | "other";

/** What sits at schema.name now, if anything. */
export async function relationKind(
  tx: Queryable,
  schema: string,
  name: string,
): Promise<RelationKind | undefined> {
  const { rows } = await tx.query<{ relkind: string }>(
    `SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, name],
  );
  const k = rows[0]?.relkind;
  if (k === undefined) return undefined;
  return k === "r" || k === "p" ? "table" : k === "v" ? "view" : k === "m" ? "matview" : "other";
}

/** Column names in order (works for tables, views and temp tables: pass a quoted name). */
export async function relationColumns(tx: Queryable, quoted: string): Promise<string[]> {
  const { rows } = await tx.query<{ attname: string }>(
    `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [quoted],
  );
  return rows.map((r) => r.attname);
}
