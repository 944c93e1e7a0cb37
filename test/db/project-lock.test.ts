import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.ts";
import { acquireProjectLock } from "../../src/db/project-lock.ts";
import { EltError } from "../../src/errors.ts";
import { ADMIN_URL, createTestDatabase, type TestDatabase } from "../helpers/pg.ts";

let pgdb: TestDatabase;
beforeAll(async () => {
  pgdb = await createTestDatabase("project_lock");
});
afterAll(async () => {
  await pgdb?.drop();
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

describe("the project lock", () => {
  it("on PostgreSQL: assertHeld fails once the lock's backend is terminated, and another process can lock", async () => {
    const a = await openDatabase({ url: pgdb.url, embeddedDir: "unused" });
    const b = await openDatabase({ url: pgdb.url, embeddedDir: "unused" });
    try {
      const lock = await acquireProjectLock(a, 0);
      await lock.assertHeld();
      await expect(acquireProjectLock(b, 0)).rejects.toMatchObject({ code: "LOCKED" });

      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ n: number }>(
          `SELECT count(pg_terminate_backend(l.pid))::int AS n
             FROM pg_locks l JOIN pg_database d ON d.oid = l.database
            WHERE l.locktype = 'advisory' AND d.datname = $1`,
          [pgdb.name],
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

  it("on PGlite: assertHeld fails once the data folder's lock file is no longer this process's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "elt-lite-lock-"));
    const db = await openDatabase({ embeddedDir: join(dir, "pgdata") });
    try {
      const lock = await acquireProjectLock(db, 0);
      await lock.assertHeld();
      const owner = { pid: 1, host: "another-container", since: new Date().toISOString(), token: "theirs" };
      writeFileSync(join(dir, "pgdata.lock"), JSON.stringify(owner));
      await lockLost(lock.assertHeld());
      await lock();
    } finally {
      await db.close();
    }
  });
});
