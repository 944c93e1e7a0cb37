import format from "pg-format";
import type { Database, Queryable } from "../db/database.ts";
import type { SeedPlan } from "./seed-plan.ts";

const BATCH_ROWS = 500;

async function sameShape(tx: Queryable, plan: SeedPlan): Promise<boolean | undefined> {
  const { rows } = await tx.query<{ column_name: string; data_type: string }>(
    `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS data_type
       FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [format("%I.%I", plan.schema, plan.table)],
  );
  if (rows.length === 0) return undefined;
  const { rows: wanted } = await tx.query<{ t: string }>(
    `SELECT format_type(t::regtype, NULL) AS t FROM unnest($1::text[]) AS t`,
    [plan.columns.map((c) => c.type)],
  );
  return (
    rows.length === plan.columns.length &&
    rows.every((r, i) => r.column_name === plan.columns[i]?.name && r.data_type === wanted[i]?.t)
  );
}

/**
 * Replaces the seed table's contents in one transaction: TRUNCATE when its shape is unchanged (views
 * built on it survive), otherwise drop and create. Returns the rows loaded.
 */
export async function loadSeed(db: Database, plan: SeedPlan): Promise<number> {
  return db.transaction(async (tx) => {
    const table = format("%I.%I", plan.schema, plan.table);
    await tx.query(format("CREATE SCHEMA IF NOT EXISTS %I", plan.schema));
    const shape = await sameShape(tx, plan);
    if (shape) {
      await tx.query(format("TRUNCATE %s", table));
    } else {
      if (shape === false) await tx.query(format("DROP TABLE %s", table));
      const cols = plan.columns.map((c) => format("%I %s", c.name, c.type)).join(", ");
      await tx.query(format("CREATE TABLE %s (%s)", table, cols));
    }
    const names = plan.columns.map((c) => format("%I", c.name)).join(", ");
    for (let start = 0; start < plan.rows.length; start += BATCH_ROWS) {
      const batch = plan.rows.slice(start, start + BATCH_ROWS);
      const params: (string | null)[] = [];
      const tuples = batch.map((row) => {
        const slots = plan.columns.map((c, i) => {
          params.push(row[i] ?? null);
          return `$${params.length}::${c.type}`;
        });
        return `(${slots.join(", ")})`;
      });
      await tx.query(`INSERT INTO ${table} (${names}) VALUES ${tuples.join(", ")}`, params);
    }
    return plan.rows.length;
  });
}
