import type { Queryable } from "./database.ts";

/** Whether a table or view stands at `relation` (a name as SQL would read it): older databases lack some. */
export async function relationExists(db: Queryable, relation: string): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [relation]);
  return rows[0]?.ok === true;
}
