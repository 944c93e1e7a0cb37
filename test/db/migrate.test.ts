import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { stopEmbeddedServer } from "../../src/db/embedded-server.ts";
import { migrate, migrationFiles } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import { runElt } from "../helpers/cli.ts";
import { holdAdvisoryLock, waitForLog } from "../helpers/overlap.ts";
import { createTestDatabase, embeddedAdminUrl, type TestDatabase } from "../helpers/pg.ts";
import { tempProject } from "../helpers/project.ts";

// A project migration that fails if applied twice, and is slow enough for two processes to overlap.
const PROJECT = {
  "project.yml": "database:\n  url: ${DATABASE_URL:-}\n  lock_timeout_seconds: ${LOCK_TIMEOUT:-30}\n",
  "migrations/9001_once.sql": "SELECT pg_sleep(0.3);\nCREATE TABLE public.applied_once (id int);\n",
};

let pgdb: TestDatabase;
beforeAll(async () => {
  pgdb = await createTestDatabase("migrate");
});
afterAll(async () => {
  await pgdb?.drop();
});

async function schemaOf(db: Database): Promise<string[]> {
  const { rows } = await db.query<{ c: string }>(
    `SELECT table_schema || '.' || table_name || '.' || column_name || ':' || data_type AS c
       FROM information_schema.columns
      WHERE table_schema IN ('raw', 'grade', 'elt')
      ORDER BY 1`,
  );
  return rows.map((r) => r.c);
}

describe("migrations", () => {
  it("two processes migrating at once apply each migration exactly once; rerun is a no-op", async () => {
    const dir = tempProject(PROJECT);
    const env = { DATABASE_URL: pgdb.url };
    // Both start while the project lock is held elsewhere, so they truly overlap, then race for it.
    const release = await holdAdvisoryLock(pgdb.url, "project");
    const both = Promise.all([
      runElt(["migrate", "--project-dir", dir], { env }),
      runElt(["migrate", "--project-dir", dir], { env }),
    ]);
    await waitForLog(join(dir, "logs"), /database connected/, 2);
    await release();
    const [a, b] = await both;
    expect(a.stderr + b.stderr).not.toMatch(/ERROR/);
    expect([a.code, b.code]).toEqual([0, 0]);
    const again = await runElt(["migrate", "--project-dir", dir], { env });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/0 now\), 0 pending/);

    const db = await openDatabase({ url: pgdb.url, embeddedDir: "unused" });
    try {
      const { rows } = await db.query<{ name: string }>("SELECT name FROM elt.migrations ORDER BY name");
      const expected = migrationFiles([join(PACKAGE_ROOT, "migrations"), join(dir, "migrations")]).map(
        (m) => m.name,
      );
      expect(rows.map((r) => r.name)).toEqual(expected);
      expect(expected).toContain("9001_once");
      const schemas = await db.query<{ n: string }>(
        "SELECT nspname AS n FROM pg_namespace WHERE nspname IN ('raw','grade','elt') ORDER BY 1",
      );
      expect(schemas.rows.map((r) => r.n)).toEqual(["elt", "grade", "raw"]);
    } finally {
      await db.close();
    }
  });

  it("a failing migration rolls back whole and is not recorded", async () => {
    const dir = tempProject({
      "project.yml": PROJECT["project.yml"],
      "migrations/9100_half.sql": "CREATE TABLE public.half_done (id int);\nSELECT 1/0;\n",
    });
    const fresh = await createTestDatabase("migrate_fail");
    try {
      const result = await runElt(["migrate", "--project-dir", dir], { env: { DATABASE_URL: fresh.url } });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/migration failed: division by zero/);
      const db = await openDatabase({ url: fresh.url, embeddedDir: "unused" });
      try {
        expect((await db.query("SELECT to_regclass('public.half_done') AS r")).rows[0]).toEqual({ r: null });
        const { rows } = await db.query<{ name: string }>("SELECT name FROM elt.migrations");
        expect(rows.map((r) => r.name)).not.toContain("9100_half");
      } finally {
        await db.close();
      }
    } finally {
      await fresh.drop();
    }
  });

  it("the same migration set builds the same schema on the embedded PostgreSQL", async () => {
    const pg = await openDatabase({ url: pgdb.url, embeddedDir: "unused" });
    const embedded = await createTestDatabase("migrate_embedded", embeddedAdminUrl());
    const onEmbedded = await openDatabase({ url: embedded.url, embeddedDir: "unused" });
    try {
      await migrate(pg);
      const status = await migrate(onEmbedded);
      expect(status.pending).toEqual([]);
      expect(status.applied).toEqual(migrationFiles([join(PACKAGE_ROOT, "migrations")]).map((m) => m.name));
      expect((await migrate(onEmbedded)).ran).toEqual([]);
      expect(await schemaOf(onEmbedded)).toEqual(await schemaOf(pg));
    } finally {
      await pg.close();
      await onEmbedded.close();
      await embedded.drop();
    }
  });
});

function holdLock(
  dir: string,
  ms: number,
  env: Record<string, string>,
): Promise<{ done: Promise<number | null>; stop(): Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(PACKAGE_ROOT, "test/helpers/hold-lock.ts"), dir, String(ms)],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const done = new Promise<number | null>((r) => child.on("close", r));
  const stop = () => {
    child.kill();
    return done;
  };
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      if (d.toString().includes("locked")) resolve({ done, stop });
    });
    child.on("error", reject);
    done.then((code) => reject(new Error(`lock holder exited early (${code})`)));
  });
}

describe.each([
  ["PostgreSQL (advisory lock)", () => ({ DATABASE_URL: pgdb.url })],
  ["the embedded PostgreSQL (advisory lock)", () => ({ DATABASE_URL: "" })],
])("the project lock on %s", (_name, envOf) => {
  // The holder is killed, so it cannot be the last user that stops the project's embedded server.
  const projects: string[] = [];
  afterAll(async () => {
    for (const dir of projects) await stopEmbeddedServer(join(dir, ".elt/pgdata"));
  });
  it("a second command waits for the holder, then gives up with exit 1 and a clear message", async () => {
    const dir = tempProject({ "project.yml": PROJECT["project.yml"] });
    projects.push(dir);
    const env = envOf();
    // Held until the second gives up, however slow a loaded machine starts it.
    const holder = await holdLock(dir, 120_000, env);
    const started = Date.now();
    const second = await runElt(["seed", "--project-dir", dir], { env: { ...env, LOCK_TIMEOUT: "1" } });
    await holder.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/another elt command is running/);
    expect(second.stderr).toMatch(/gave up after waiting 1 s/);
  });

  it("a second command that waits long enough runs after the holder releases", async () => {
    const dir = tempProject({ "project.yml": PROJECT["project.yml"] });
    projects.push(dir);
    const env = envOf();
    const holder = await holdLock(dir, 120_000, env);
    const second = runElt(["seed", "--project-dir", dir], { env: { ...env, LOCK_TIMEOUT: "60" } });
    // The second is connected and waiting for the lock before the holder lets go.
    await waitForLog(join(dir, "logs"), /database connected/, 1);
    await holder.stop();
    const result = await second;
    expect(result.code, result.stderr).toBe(0);
  });
});
