import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.ts";
import { acquireProjectLock } from "../../src/db/project-lock.ts";
import { EltError } from "../../src/errors.ts";
import { ADMIN_URL, createTestDatabase, embeddedAdminUrl, type TestDatabase } from "../helpers/pg.ts";

let pgdb: TestDatabase;
let embdb: TestDatabase;
beforeAll(async () => {
  pgdb = await createTestDatabase("project_lock");
  embdb = await createTestDatabase("project_lock", embeddedAdminUrl());
});
afterAll(async () => {
  await pgdb?.drop();
  await embdb?.drop();
});

async function lockLost(promise: Promise<unknown>): Promise<EltError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EltError);
  expect(error).toMatchObject({ code: "LOCK_LOST", exitCode: 1 });
  return error as EltError;
}

describe.each([
  ["PostgreSQL", () => ({ db: pgdb, admin: ADMIN_URL })],
  ["the embedded PostgreSQL", () => ({ db: embdb, admin: embeddedAdminUrl() })],
])("the project lock on %s", (_engine, target) => {
  it("assertHeld fails once the lock's backend is terminated, and another process can lock", async () => {
    const { db: tdb, admin: adminUrl } = target();
    const a = await openDatabase({ url: tdb.url, embeddedDir: "unused" });
    const b = await openDatabase({ url: tdb.url, embeddedDir: "unused" });
    try {
      const lock = await acquireProjectLock(a, 0);
      await lock.assertHeld();
      await expect(acquireProjectLock(b, 0)).rejects.toMatchObject({ code: "LOCKED" });

      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ n: number }>(
          `SELECT count(pg_terminate_backend(l.pid))::int AS n
             FROM pg_locks l JOIN pg_database d ON d.oid = l.database
            WHERE l.locktype = 'advisory' AND d.datname = $1`,
          [tdb.name],
        );
        expect(rows[0]?.n).toBe(1);
      } finally {
        await admin.end();
      }

      const error = await lockLost(lock.assertHeld());
      expect(error.message).toMatch(/project lock .* was lost/);
      const second = await acquireProjectLock(b, 5_000);
      await second.assertHeld();
      // Releasing the lost lock neither throws nor touches the new holder's.
      await lock.release();
      await second.assertHeld();
      await second();
      // The pool replaced the dead connection: the first database still works.
      expect((await a.query("SELECT 1 AS x")).rows).toEqual([{ x: 1 }]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
