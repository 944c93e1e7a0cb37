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
