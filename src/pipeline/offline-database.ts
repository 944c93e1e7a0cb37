import type { Queryable } from "../db/database.ts";

/**
 * What a report sees when the run failed before it had a database (unreachable server, lock not
 * obtained, a migration failing): every query rejects, so the report leaves those parts empty.
 */
export function offlineDatabase(why: string): Queryable {
  const fail = () => Promise.reject(new Error(`no database: ${why}`));
  return { query: fail, copyFrom: fail };
}
