import format from "pg-format";
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

/** The columns a SELECT produces, without running it (a temporary view is only planned). */
export async function queryColumns(tx: Queryable, sql: string): Promise<string[]> {
  await tx.query(`CREATE TEMP VIEW elt__probe AS ${sql}`);
  try {
    return await relationColumns(tx, "pg_temp.elt__probe");
  } finally {
    await tx.query("DROP VIEW pg_temp.elt__probe");
  }
}

export interface DependentView {
  quoted: string;
  materialized: boolean;
  definition: string;
  comment: string | null;
}

/**
 * Views (and materialized views) that depend on the relation, directly or through other views,
 * in an order they can be recreated in.
 */
export async function dependentViews(tx: Queryable, quoted: string): Promise<DependentView[]> {
  const { rows } = await tx.query<{
    nspname: string;
    relname: string;
    relkind: string;
    def: string;
    comment: string | null;
  }>(
    `WITH RECURSIVE deps(oid, depth) AS (
       SELECT r.ev_class, 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = $1::regclass AND r.ev_class <> d.refobjid
       UNION
       SELECT r.ev_class, deps.depth + 1 FROM deps
         JOIN pg_depend d ON d.refobjid = deps.oid
         JOIN pg_rewrite r ON r.oid = d.objid
        WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class <> d.refobjid AND deps.depth < 100
     )
     SELECT n.nspname, c.relname, c.relkind, pg_get_viewdef(c.oid) AS def, obj_description(c.oid, 'pg_class') AS comment
       FROM (SELECT oid, max(depth) AS depth FROM deps GROUP BY oid) d
       JOIN pg_class c ON c.oid = d.oid JOIN pg_namespace n ON n.oid = c.relnamespace
      ORDER BY d.depth, n.nspname, c.relname`,
    [quoted],
  );
  return rows.map((r) => ({
    quoted: format("%I.%I", r.nspname, r.relname),
    materialized: r.relkind === "m",
    definition: r.def.replace(/[\s;]+$/, ""),
    comment: r.comment,
  }));
}

/** Whether a unique index (or primary key) covers exactly these columns: ON CONFLICT needs one. */
export function hasUniqueIndexOn(
  tx: Queryable,
  quoted: string,
  columns: readonly string[],
): Promise<boolean> {
  return hasIndexOn(tx, quoted, columns, true);
}

/** Whether an index (unique when asked) covers exactly these columns, in any order. */
export async function hasIndexOn(
  tx: Queryable,
  quoted: string,
  columns: readonly string[],
  unique: boolean,
): Promise<boolean> {
  const { rows } = await tx.query<{ cols: string[] }>(
    `SELECT array_agg(a.attname::text ORDER BY a.attname) AS cols
       FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisvalid AND (i.indisunique OR NOT $2)
        AND i.indpred IS NULL AND i.indexprs IS NULL
      GROUP BY i.indexrelid`,
    [quoted, unique],
  );
  const want = [...columns].sort();
  return rows.some((r) => r.cols.length === want.length && r.cols.every((c, i) => c === want[i]));
}
