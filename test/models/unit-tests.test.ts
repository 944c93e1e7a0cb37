import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../../src/config/load-project.ts";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import { modelFingerprint } from "../../src/transform/model-fingerprint.ts";
import { type PlannedModel, planProject } from "../../src/transform/plan-project.ts";
import { formatUnitTestResult } from "../../src/transform/unit-tests/format-unit-test-result.ts";
import {
  runUnitTest,
  runUnitTests,
  type UnitTestResult,
} from "../../src/transform/unit-tests/run-unit-tests.ts";
import { runElt } from "../helpers/cli.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.ts";
import { tempProject } from "../helpers/project.ts";

/**
 * The shipped models' unit tests (`unit_tests:` in models/**), as `elt test --unit` runs them: on a
 * migrated database with nothing landed, each in a transaction that is rolled back.
 */

const { config } = loadProject(PACKAGE_ROOT, { env: {} });
const plan = planProject({ projectDir: PACKAGE_ROOT, config });

let pgdb: TestDatabase;
let db: Database;

beforeAll(async () => {
  pgdb = await createTestDatabase("unit_tests");
  db = await openDatabase({ url: pgdb.url, embeddedDir: "unused" });
  await migrate(db, {});
});
afterAll(async () => {
  await db?.close();
  await pgdb?.drop();
});

describe("the shipped models' unit tests", () => {
  it("cover the staging table, the quarantine and the daily aggregates", () => {
    const models = new Set(plan.unitTests.map((t) => t.model));
    expect([...models].sort()).toEqual([
      "daily_stats",
      "lms_grade_quarantine",
      "stg_attempts",
      "user_first_seen",
    ]);
  });

  for (const test of plan.unitTests) {
    it(`${test.model}.${test.name}`, async () => {
      const result = await runUnitTest(db, test);
      expect(result.status, formatUnitTestResult(result)).toBe("pass");
    });
  }
});

/** A copy of the shipped project (models, macros) with one model's SQL changed. */
function brokenCopy(model: string, from: string, to: string): string {
  const dir = tempProject({ "project.yml": "name: broken\ndatabase:\n  url: ${DATABASE_URL}\n" });
  cpSync(join(PACKAGE_ROOT, "models"), join(dir, "models"), { recursive: true });
  cpSync(join(PACKAGE_ROOT, "macros"), join(dir, "macros"), { recursive: true });
  const file = join(dir, "models", "grade", `${model}.sql`);
  const sql = readFileSync(file, "utf8");
  expect(sql).toContain(from);
  writeFileSync(file, sql.replace(from, to));
  return dir;
}

describe("a broken model", () => {
  // The classic slip: a day without submits has no first_submits row, so the count is NULL, not 0.
  const dir = brokenCopy("daily_stats", "coalesce(f.submit_users, 0) AS submit_users", "f.submit_users");

  it("fails its unit test with a diff naming the column, and leaves nothing behind", async () => {
    const { config: brokenConfig } = loadProject(dir, { env: { DATABASE_URL: pgdb.url } });
    const broken = planProject({ projectDir: dir, config: brokenConfig, select: ["daily_stats"] });
    const results = await runUnitTests(db, broken.unitTests);
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ["day_without_submits", "fail"],
      ["first_submit_decides", "pass"],
      ["late_record_recomputes_its_day", "fail"],
    ]);
    const text = formatUnitTestResult(results[0] as UnitTestResult);
    expect(text).toContain("unit test daily_stats.day_without_submits: fail, 2 rows expected, 2 produced");
    expect(text).toContain(
      '  - {day: "2024-03-02", attempts: "3", runs: "3", submits: "0", correct_submits: "0", unique_users: "2", users_with_success: "0", submit_users: "0",',
    );
    expect(text).toContain('    ~ the closest produced row has submit_users NULL instead of "0"');
    expect(text).toContain('  + {day: "2024-03-02", attempts: "3", runs: "3", submits: "0"');
    // Rolled back: the inputs never reached the real tables.
    expect(
      await db.query("SELECT 1 FROM elt.model_state UNION ALL SELECT 1 FROM raw.api_attempts"),
    ).toMatchObject({
      rows: [],
    });
  });

  it("makes `elt test --unit` exit 1 with the diff; the data tests are not run", async () => {
    const cli = await runElt(["test", "--unit", "--select", "daily_stats"], {
      cwd: dir,
      env: { DATABASE_URL: pgdb.url },
    });
    const out = cli.stdout + cli.stderr;
    expect(cli.code, out).toBe(1);
    expect(out).toContain("submit_users NULL instead of");
    expect(out).toContain("unit tests: 1 passed, 2 failed");
    expect(out).not.toContain("not_null_daily_stats");
  });
});

describe("unit tests of a small project", () => {
  const dir = tempProject({
    "project.yml": "name: t\n",
    "models/sources.yml": "sources:\n  land:\n    tables: [events]\n",
    "models/totals.sql": `/*---
materialized: incremental
schema: ut
unique_key: k
watermark: _id
unit_tests:
  - name: adds_to_existing
    is_incremental: true
    watermark: 2
    vars: {label: inc}
    given:
      - input: land.events
        rows: [{id: 1, k: a, n: 5}, {id: 3, k: a, n: 1}, {id: 4, k: b, n: 2}]
      - input: this
        rows: [{k: a, total: 10}]
    expect:
      rows: [{k: a, total: 11, _id: 3, label: inc}, {k: b, total: 2, _id: 4, label: inc}]
  - name: from_selects
    given:
      - input: source('land', 'events')
        sql: SELECT 1 AS id, 'a' AS k, 2.5 AS n UNION ALL SELECT 2, 'a', 1
    expect:
      sql: SELECT 'a' AS k, '3.50' AS total, 'none' AS label
  - name: names_a_column_it_lacks
    given: [{input: land.events, rows: [{id: 1, k: a, n: 1}]}]
    expect:
      rows: [{k: a, totl: 1}]
---*/
SELECT e.k, sum(e.n){{#if is_incremental}} + coalesce(max(t.total), 0){{/if}} AS total, max(e.id) AS _id,
  {{var "label" "none"}} AS label
FROM {{source "land" "events"}} AS e
{{#if is_incremental}}LEFT JOIN {{this}} AS t ON t.k = e.k WHERE e.id > {{watermark}}{{/if}}
GROUP BY e.k
`,
    "models/base.sql":
      "/*---\nmaterialized: table\nschema: ut\ncontract: {k: text not null, n: int}\n---*/\nSELECT 'a' AS k, 1 AS n\n",
    "models/top.sql": `/*---
schema: ut
unit_tests:
  - name: typo_in_given
    given:
      - input: ref('base')
        rows: [{k: a, m: 1}]
    expect: {rows: []}
  - name: empty_input
    expect: {rows: []}
---*/
SELECT k, n * 2 AS n2 FROM {{ref "base"}}
`,
  });
  const { config: smallConfig } = loadProject(dir, { env: {} });
  const small = planProject({ projectDir: dir, config: smallConfig });
  const run = async (name: string) => {
    const test = small.unitTests.find((t) => t.name === name);
    if (!test) throw new Error(`no unit test ${name}`);
    return runUnitTest(db, test);
  };

  it("an incremental test reads the given `this`, watermark and vars", async () => {
    const r = await run("adds_to_existing");
    expect(r.status, formatUnitTestResult(r)).toBe("pass");
    expect(small.unitTests.find((t) => t.name === "adds_to_existing")?.sql).toContain(
      "LEFT JOIN pg_temp.given_this AS t ON t.k = e.k WHERE e.id > 2",
    );
  });

  it("given and expected rows may be SELECTs; values compare in the model's types", async () => {
    const r = await run("from_selects");
    expect(r.status, formatUnitTestResult(r)).toBe("pass");
    expect(r).toMatchObject({ columns: ["k", "total", "label"], expected: 1, produced: 1 });
  });

  it("an input with no rows is empty, typed by the contract", async () => {
    expect(await run("empty_input")).toMatchObject({ status: "pass", expected: 0, produced: 0 });
  });

  it("a column the model does not produce, or a given column its input lacks, is an error", async () => {
    expect(await run("names_a_column_it_lacks")).toMatchObject({
      status: "error",
      error: 'expect names "totl", which the model does not produce (k, total, _id, label)',
    });
    expect(await run("typo_in_given")).toMatchObject({
      status: "error",
      error: `given ref('base'): "m" is not a column of the contract of ut.base (k, n)`,
    });
  });
});

describe("unit test config", () => {
  const compileErrors = (header: string): string => {
    const dir = tempProject({
      "project.yml": "name: t\n",
      "models/sources.yml": "sources:\n  land:\n    tables: [events, other]\n",
      "models/a.sql": "SELECT 1 AS x\n",
      "models/m.sql": `/*---\n${header}---*/\nSELECT * FROM {{ref "a"}} JOIN {{source "land" "events"}} ON true\n`,
    });
    const { config: c } = loadProject(dir, { env: {} });
    try {
      planProject({ projectDir: dir, config: c });
    } catch (error) {
      return (error as Error).message;
    }
    return "no error";
  };

  it("names the file, line and key of each mistake", () => {
    const text = compileErrors(`unit_tests:
  - name: t1
    given:
      - {input: ref('nope')}
      - {input: land.other}
      - {input: this}
      - {input: a, rows: [], sql: SELECT 1}
    expect: {rows: []}
  - name: t2
    expect: {}
    given: [{input: a, colums: []}]
`);
    expect(text).toContain(
      "models/m.sql:11: config unit_tests.1.expect.rows: give rows (a list of {column: value}) or sql (model m)",
    );
    expect(text).toContain(
      'models/m.sql:12: config unit_tests.1.given.0.colums: unknown key "colums" (model m)',
    );
    expect(text).toContain(
      "models/m.sql:8: config unit_tests.0.given.3.sql: give rows or sql, not both (model m)",
    );
    expect(
      compileErrors("unit_tests:\n  - {name: t1, expect: {rows: []}}\n  - {name: t1, expect: {rows: []}}\n"),
    ).toContain('models/m.sql:4: config unit_tests.1.name: "t1" is used twice (model m)');
  });

  it("leaves a model's fingerprint alone (unit tests change nothing a build does)", () => {
    const fingerprint = (unitTests: string) => {
      const dir = tempProject({
        "project.yml": "name: t\n",
        "models/m.sql": `/*---\n${unitTests}---*/\nSELECT 1 AS x\n`,
      });
      const p = planProject({ projectDir: dir, config: loadProject(dir, { env: {} }).config });
      return modelFingerprint(p.allModels.get("m") as PlannedModel);
    };
    expect(fingerprint("unit_tests: [{name: t, expect: {rows: [{x: 1}]}}]\n")).toEqual(fingerprint(""));
    expect(fingerprint("description: d\n")).not.toEqual(fingerprint(""));
  });

  it("checks each input against what the model reads", () => {
    const text = compileErrors(`unit_tests:
  - name: t1
    given:
      - {input: ref('nope')}
      - {input: land.other}
      - {input: this}
      - {input: a}
      - {input: "ref('a')"}
    expect: {rows: []}
`);
    expect(text).toContain(
      'models/m.sql:5: unit_tests.0.given.0.input: unknown model "nope" (unit test t1 of m)',
    );
    expect(text).toContain(
      "models/m.sql:6: unit_tests.0.given.1.input: the model does not read land.other (unit test t1 of m)",
    );
    expect(text).toContain(
      "models/m.sql:7: unit_tests.0.given.2.input: `this` is read only with is_incremental: true (unit test t1 of m)",
    );
    expect(text).toContain(
      "models/m.sql:9: unit_tests.0.given.4.input: a is given twice (unit test t1 of m)",
    );
  });
});
