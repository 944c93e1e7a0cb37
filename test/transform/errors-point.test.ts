import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../../src/config/load-project.ts";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { buildModels } from "../../src/transform/build-models.ts";
import { planProject } from "../../src/transform/plan-project.ts";
import { runDataTests } from "../../src/transform/run-data-tests.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.ts";
import { tempProject } from "../helpers/project.ts";

function plan(dir: string, select?: string[]) {
  const { config } = loadProject(dir, { env: {} });
  return planProject({ projectDir: dir, config, ...(select ? { select } : {}) });
}

const header = (extra = "") => `/*---\nmaterialized: table\nschema: pts\n${extra}---*/\n`;
const BASE = `${header()}SELECT 1 AS id, 'a' AS v, 10 AS amount\n`;

let pgdb: TestDatabase;
let db: Database;
beforeAll(async () => {
  pgdb = await createTestDatabase("errors_point");
  db = await openDatabase({ url: pgdb.url, embeddedDir: "unused" });
  await migrate(db, {});
});
afterAll(async () => {
  await db?.close();
  await pgdb?.drop();
});

/** The one model's error after a build of `select`. */
async function buildError(dir: string, select: string[]): Promise<string | undefined> {
  const { models } = await buildModels(db, plan(dir, select));
  return models.find((m) => m.status === "failed")?.error;
}

describe("database errors point at the source line", () => {
  it("a syntax error: file, line and column under the YAML header, the line and a caret", async () => {
    const dir = tempProject({
      "project.yml": "name: t\n",
      "models/syntax.sql": `${header()}SELECT 1 AS a,\n  2 AS b,,\n  3 AS c\n`,
    });
    expect(await buildError(dir, ["syntax"])).toBe(
      ['models/syntax.sql:6:10: syntax error at or near ","', "  6 |   2 AS b,,", "    |          ^"].join(
        "\n",
      ),
    );
  });

  it("an unknown column after a {{ref}} and an {{#if is_incremental}} block, on an incremental run, with the hint", async () => {
    const model = (order: string) =>
      [
        "/*---\nmaterialized: incremental\nschema: pts\nunique_key: id\n---*/",
        "SELECT b.id, b.v",
        'FROM {{ref "base"}} AS b',
        "{{#if is_incremental}}",
        "WHERE b.id > (SELECT coalesce(max(id), 0) FROM {{this}})",
        "{{/if}}",
        `ORDER BY ${order}`,
        "",
      ].join("\n");
    const dir = tempProject({
      "project.yml": "name: t\n",
      "models/base.sql": BASE,
      "models/inc.sql": model("b.v"),
    });
    expect((await buildModels(db, plan(dir))).published).toBe(true);
    writeFileSync(join(dir, "models/inc.sql"), model("b.id, b.vv"));
    const { models } = await buildModels(db, plan(dir, ["inc"]));
    expect(models[0]?.mode).toBe("incremental");
    expect(models[0]?.error).toBe(
      [
        "models/inc.sql:11:16: column b.vv does not exist",
        "  11 | ORDER BY b.id, b.vv",
        "     |                ^",
        '  HINT: Perhaps you meant to reference the column "b.v".',
      ].join("\n"),
    );
  });

  it("an error inside a partial names the partial's file and line, even indented", async () => {
    const dir = tempProject({
      "project.yml": "name: t\n",
      "macros/pick.hbs": "SELECT id,\n       no_such_col AS x\n",
      "models/base.sql": BASE,
      "models/part.sql": `${header()}SELECT * FROM (\n  {{> pick}}\n  FROM {{ref "base"}}\n) AS t\n`,
    });
    expect(await buildError(dir, ["+part"])).toBe(
      [
        'macros/pick.hbs:2:8: column "no_such_col" does not exist',
        "  2 |        no_such_col AS x",
        "    |        ^",
      ].join("\n"),
    );
  });

  it("a type error keeps PostgreSQL's hint; an error in a helper's output points at the helper", async () => {
    const dir = tempProject({
      "project.yml": "name: t\nvars:\n  label: x\n",
      "models/typed.sql": `${header()}SELECT\n  1 + 'x'::text AS t\n`,
      "models/helper.sql": `${header()}SELECT 1 AS a\nWHERE 1 = {{var "label"}}\n`,
    });
    const typed = await buildError(dir, ["typed"]);
    expect(typed).toBe(
      [
        "models/typed.sql:6:5: operator does not exist: integer + text",
        "  6 |   1 + 'x'::text AS t",
        "    |     ^",
        "  HINT: No operator matches the given name and argument types. You might need to add explicit type casts.",
      ].join("\n"),
    );
    expect(await buildError(dir, ["helper"])).toBe(
      [
        `models/helper.sql:6:11: invalid input syntax for type integer: "x"`,
        `  6 | WHERE 1 = {{var "label"}}`,
        "    |           ^",
      ].join("\n"),
    );
  });

  it("a runtime error without a position keeps the message and names the file", async () => {
    const dir = tempProject({
      "project.yml": "name: t\n",
      "models/zero.sql": `${header()}SELECT 1 / 0 AS a\n`,
    });
    expect(await buildError(dir, ["zero"])).toBe("models/zero.sql: division by zero");
  });

  it("a config test's error names the yml line declaring it and shows the test's SQL line", async () => {
    const dir = tempProject({
      "project.yml": "name: t\n",
      "models/people.sql": `${header()}SELECT 1 AS id\n`,
      "models/people.yml":
        'models:\n  people:\n    tests:\n      - expression: "id > 0"\n      - expression: "nme > 0"\n',
    });
    const expected = (relation: string) => {
      const sql = `SELECT * FROM ${relation} WHERE NOT (nme > 0)`;
      return [
        'models/people.yml:5: column "nme" does not exist',
        `  sql | ${sql}`,
        `      | ${" ".repeat(sql.indexOf("nme"))}^`,
      ].join("\n");
    };
    // As an audit of the build (on the new table, not yet published), and as `elt test`.
    const built = await buildModels(db, plan(dir));
    expect(built.audits.map((a) => [a.name, a.status])).toEqual([
      ["expression_people", "pass"],
      ["expression_people_2", "error"],
    ]);
    expect(built.audits[1]?.error).toBe(expected("pts.people__elt_tmp"));
    await buildModels(db, { ...plan(dir), tests: [] });
    const tested = await runDataTests(db, plan(dir));
    expect(tested[1]?.error).toBe(expected("pts.people"));
  });

  it("a singular test's error names tests/x.sql and the line, as `elt test` and as an audit", async () => {
    const dir = tempProject({
      "project.yml": "name: t\n",
      "models/base.sql": BASE,
      "tests/negative.sql": '-- amounts below zero\nSELECT *\nFROM {{ref "base"}}\nWHERE amout < 0\n',
    });
    const expected = [
      'tests/negative.sql:4:7: column "amout" does not exist',
      "  4 | WHERE amout < 0",
      "    |       ^",
      '  HINT: Perhaps you meant to reference the column "base.amount".',
    ].join("\n");
    const built = await buildModels(db, plan(dir));
    expect(built.audits[0]?.error).toBe(expected);
    const tested = await runDataTests(db, plan(dir));
    expect(tested[0]?.error).toBe(expected);
  });
});
