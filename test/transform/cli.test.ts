import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runElt } from "../helpers/cli.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.ts";
import { tempProject } from "../helpers/project.ts";

const FIXTURE = join(import.meta.dirname, "../fixtures/engine-project");
// Nothing listens on port 1: any attempt to connect fails at once.
const UNREACHABLE = "postgres://postgres@127.0.0.1:1/nowhere";

function copyFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), "elt-cli-engine-"));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

describe("elt model list / compile need no database", () => {
  it("lists the selected models in build order", async () => {
    const dir = copyFixture();
    const all = await runElt(["model", "list"], { cwd: dir, env: { DATABASE_URL: UNREACHABLE } });
    expect(all.stderr).not.toMatch(/ECONNREFUSED|database/i);
    expect(all.code).toBe(0);
    expect(all.stdout.trim().split("\n")).toEqual([
      "stg_events   view         analytics.stg_events",
      "event_log    incremental  grade.event_log",
      "daily_kinds  view         analytics.daily_kinds",
      "user_totals  table        analytics.user_totals",
    ]);
    const some = await runElt(["model", "list", "--select", "stg_events+", "--exclude", "tag:incremental"], {
      cwd: dir,
      env: { DATABASE_URL: UNREACHABLE },
    });
    expect(
      some.stdout
        .trim()
        .split("\n")
        .map((l) => l.split(" ")[0]),
    ).toEqual(["stg_events", "daily_kinds", "user_totals"]);
    const typo = await runElt(["model", "list", "--select", "stg_event"], {
      cwd: dir,
      env: { DATABASE_URL: UNREACHABLE },
    });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/no model named "stg_event"/);
  });

  it("compiles to target/compiled with --vars, and reports all compile errors with exit 2", async () => {
    const dir = copyFixture();
    const r = await runElt(["model", "compile", "--vars", "{start_date: '2030-01-01'}"], {
      cwd: dir,
      env: { DATABASE_URL: UNREACHABLE },
    });
    expect(r.code).toBe(0);
    const stg = readFileSync(join(dir, "target/compiled/models/staging/stg_events.sql"), "utf8");
    expect(stg).toContain("e.at >= '2030-01-01'");
    expect(existsSync(join(dir, "target/compiled/tests/assert_totals_match.sql"))).toBe(true);

    writeFileSync(
      join(dir, "models/marts/broken.sql"),
      'SELECT *\nFROM {{ref "nope"}}, {{source "app" "nope"}}\n',
    );
    const bad = await runElt(["model", "compile"], { cwd: dir, env: { DATABASE_URL: UNREACHABLE } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("2 compile errors");
    expect(bad.stderr).toContain('models/marts/broken.sql:2: unknown model "nope" in {{ref}}');
    expect(bad.stderr).toContain('models/marts/broken.sql:2: unknown source "app.nope"');
  });
});

describe("elt model build and elt test on PostgreSQL", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("engine_cli");
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(`CREATE SCHEMA app;
      CREATE TABLE app.events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id text, kind text, amount numeric, at timestamp);
      INSERT INTO app.events (user_id, kind, amount, at) VALUES ('u1', 'buy', 2, '2024-05-01'), ('u2', 'click', 1, '2024-05-02');`);
    await c.end();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("--dry-run prints the build plan and changes nothing", async () => {
    const dir = copyFixture();
    const env = { DATABASE_URL: db.url };
    const count = async () => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const { rows } = await c.query(
          "SELECT to_regclass('grade.event_log') AS rel, to_regclass('elt.model_runs') AS ledger",
        );
        return rows[0];
      } finally {
        await c.end();
      }
    };
    const before = await count();
    const dry = await runElt(["model", "build", "--dry-run", "--select", "event_log"], { cwd: dir, env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^model grade\.event_log \(incremental\): first build$/m);
    expect(dry.stdout).toContain("RENAME TO event_log");
    expect(dry.stdout).toMatch(/^publish: COMMIT/m);
    expect(await count()).toEqual(before);
  });

  it("points a SQL error at the source line with a caret, for a model and a singular test", async () => {
    const dir = tempProject({
      "project.yml": "name: t\ndatabase:\n  url: ${DATABASE_URL}\n",
      "models/points.sql": "/*---\nschema: points\n---*/\nSELECT 1 AS a,\n  2 AS b,,\n  3 AS c\n",
      "tests/points_test.sql": "-- no refs\nSELECT 1 AS one\nWHERE nope > 0\n",
    });
    const env = { DATABASE_URL: db.url };
    const built = await runElt(["model", "build"], { cwd: dir, env });
    expect(built.code).toBe(1);
    expect(built.stderr).toMatch(
      /model points\.points: failed after \d+ ms: models\/points\.sql:5:10: syntax error at or near ","\n {2}5 \| {3}2 AS b,,\n {4}\| {10}\^\n/,
    );
    const tested = await runElt(["test"], { cwd: dir, env });
    expect(tested.code).toBe(1);
    expect(tested.stderr).toContain(
      [
        'test points_test: error: tests/points_test.sql:3:7: column "nope" does not exist',
        "  3 | WHERE nope > 0",
        "    |       ^",
      ].join("\n"),
    );
  });

  it("builds, logs each model, tests, and exits 1 when a model or an error test fails", async () => {
    const dir = copyFixture();
    const env = { DATABASE_URL: db.url };
    const ok = await runElt(["model", "build"], { cwd: dir, env });
    expect(ok.stderr).toMatch(/model grade\.event_log: success, 2 rows \(\d+ ms\)/);
    expect(ok.stderr).toMatch(/model analytics\.user_totals: success, 2 rows/);
    expect(ok.code).toBe(0);
    const tests = await runElt(["test"], { cwd: dir, env });
    expect(tests.stderr).toContain("tests: 7 passed, 0 failed, 0 warned");
    expect(tests.code).toBe(0);

    writeFileSync(
      join(dir, "models/marts/user_totals.sql"),
      "/*---\nmaterialized: table\n---*/\nSELECT 1 / 0 AS user_id\n",
    );
    const failed = await runElt(["model", "build", "--select", "+user_totals"], { cwd: dir, env });
    expect(failed.stderr).toMatch(/model analytics\.user_totals: failed after .*division by zero/);
    expect(failed.stderr).toContain("models: 0 built, 1 failed, 0 skipped");
    expect(failed.code).toBe(1);

    writeFileSync(join(dir, "tests/always_fails.sql"), 'SELECT 1 AS one FROM {{ref "stg_events"}}\n');
    const failing = await runElt(["test", "--select", "stg_events"], { cwd: dir, env });
    expect(failing.stderr).toContain("test always_fails: fail, 2 failing rows");
    expect(failing.code).toBe(1);
  });
});
