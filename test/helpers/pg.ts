import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

/** The machine's PostgreSQL (trust auth). Overridable for other hosts. */
export const ADMIN_URL = process.env.ELT_TEST_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** The suite's embedded PostgreSQL (test/global-setup.ts), for the SQL-on-both tests. */
export const embeddedAdminUrl = (): string => inject("embeddedAdminUrl");

/**
 * A fresh database for one test file: migrations create fixed schemas (raw, grade, elt), so files
 * are isolated by database, not by schema. On the machine's server, or on another (the embedded one).
 */
export async function createTestDatabase(prefix: string, adminUrl = ADMIN_URL): Promise<TestDatabase> {
  const name = `elt_t_${prefix.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A new test database copied from `template` (which must have no open connections). */
export async function cloneDatabase(
  template: TestDatabase,
  prefix: string,
  adminUrl = ADMIN_URL,
): Promise<TestDatabase> {
  const copy = await createTestDatabase(prefix, adminUrl);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE "${copy.name}"`);
    await admin.query(`CREATE DATABASE "${copy.name}" TEMPLATE "${template.name}"`);
  } finally {
    await admin.end();
  }
  return copy;
}

/** One query on its own connection: the rows. */
export async function queryRows<R>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as R[];
  } finally {
    await client.end();
  }
}
