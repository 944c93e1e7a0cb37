// A swap (a table rebuilt, a view dropped and created) keeps what depends on the relation as it
// stands at that moment (migration 0100), not as a plan read it before the build: review findings
// of issue 12 — a view model changed in the same build, a view that stopped reading the table,
// grants, a foreign key, another session's temporary view, an unselected view model's new SQL, and a
// bigint in a failing warn audit's sample.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../../src/config/load-project.ts";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { buildModels } from "../../src/transform/build-models.ts";
import { planProject } from "../../src/transform/plan-project.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.ts";
import { tempProject } from "../helpers/project.ts";

let tdb: TestDatabase;
let db: Database;
const role = `elt_reader_${randomBytes(4).toString("hex")}`;

const build = (dir: string, select?: string[]) => {
  const { config } = loadProject(dir, { env: {} });
  return buildModels(db, planProject({ projectDir: dir, config, ...(select ? { select } : {}) }));
};
const one = async (sql: string) => (await db.query(sql)).rows[0];

beforeAll(async () => {
  tdb = await createTestDatabase("swap_deps");
  db = await openDatabase({ url: tdb.url, embeddedDir: "unused" });
  await migrate(db, {});
  await db.query(`CREATE ROLE ${role}`);
});
afterAll(async () => {
  await db?.close();
  await tdb?.drop();
  const admin = new pg.Client({ connectionString: tdb.url.replace(/\/[^/]+$/, "/postgres") });
  await admin.connect();
  await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
  await admin.end();
});

describe("a swap keeps what depends on the relation as it stands", () => {
  it("a changed view model, a new model it reads, grants, an outside view, another session's temp view", async () => {
    const dir = tempProject({
      "project.yml": "name: t\n",
      "models/a_t.sql": "/*---\nmaterialized: table\nschema: sw\n---*/\nSELECT 1 AS id, 10 AS v\n",
      "models/c_v.sql": '/*---\nschema: sw\n---*/\nSELECT id, v FROM {{ref "a_t"}}\n',
    });
    expect((await build(dir)).published).toBe(true);
    await db.query(`GRANT USAGE ON SCHEMA sw TO ${role}; GRANT SELECT ON sw.a_t, sw.c_v TO ${role};
      CREATE VIEW sw.outside AS SELECT id FROM sw.a_t; COMMENT ON VIEW sw.outside IS 'theirs';
      GRANT SELECT ON sw.outside TO ${role};`);
    // Someone's psql session holds a temporary view on the table.
    const other = new pg.Client({ connectionString: tdb.url });
    await other.connect();
    await other.query("CREATE TEMP VIEW peek AS SELECT * FROM sw.a_t");
    try {
      // The view model now joins a model added in the same build (built after a_t's swap).
      writeFileSync(
        join(dir, "models/b_m.sql"),
        "/*---\nmaterialized: table\nschema: sw\n---*/\nSELECT 1 AS id, 'x' AS label\n",
      );
      writeFileSync(
        join(dir, "models/c_v.sql"),
        '/*---\nschema: sw\n---*/\nSELECT a.id, a.v, b.label FROM {{ref "a_t"}} AS a JOIN {{ref "b_m"}} AS b USING (id)\n',
      );
      const second = await build(dir);
      expect(second.models.map((m) => [m.name, m.status, m.error ?? ""])).toEqual([
        ["a_t", "success", ""],
        ["b_m", "success", ""],
        ["c_v", "success", ""],
      ]);
      expect(second.published).toBe(true);
    } finally {
      await other.end();
    }
    expect(await one("SELECT label FROM sw.c_v")).toEqual({ label: "x" });
    expect(
      await one(`SELECT has_table_privilege('${role}', 'sw.a_t', 'SELECT') AS t,
        has_table_privilege('${role}', 'sw.outside', 'SELECT') AS o,
        obj_description('sw.outside'::regclass, 'pg_class') AS comment`),
    ).toEqual({ t: true, o: true, comment: "theirs" });
  });

  it("a view that stopped reading the table; an unselected view model keeps its published SQL", async () => {
    const dir = tempProject({
      "project.yml": "name: t\n",
      "models/b_t.sql": "/*---\nmaterialized: table\nschema: sx\n---*/\nSELECT 1 AS id\n",
      "models/a_v.sql": '/*---\nschema: sx\n---*/\nSELECT id FROM {{ref "b_t"}}\n',
      "models/d_v.sql":
        '/*---\nschema: sx\ncolumns: {v: {tests: [{expression: "v < 100"}]}}\n---*/\nSELECT id, 1 AS v FROM {{ref "b_t"}}\n',
    });
    expect((await build(dir)).published).toBe(true);
    // a_v no longer reads b_t; a_v is built before b_t (alphabetical among independent models).
    writeFileSync(join(dir, "models/a_v.sql"), "/*---\nschema: sx\n---*/\nSELECT 2 AS id\n");
    const again = await build(dir);
    expect(again.models.map((m) => [m.name, m.status, m.error ?? ""])).toEqual([
      ["a_v", "success", ""],
      ["b_t", "success", ""],
      ["d_v", "success", ""],
    ]);
    // d_v changed to fail its test, but only b_t is selected: d_v is put back as it was published.
    const dv = join(dir, "models/d_v.sql");
    writeFileSync(dv, readFileSync(dv, "utf8").replace("1 AS v", "1000 AS v"));
    expect((await build(dir, ["b_t"])).published).toBe(true);
    expect(await one("SELECT v FROM sx.d_v")).toEqual({ v: 1 });
  });

  it("a foreign key from another table: the swap refuses, naming it, and nothing is published", async () => {
    const dir = tempProject({
      "project.yml": "name: t\n",
      "models/k_t.sql": "/*---\nmaterialized: table\nschema: sy\nprimary_key: id\n---*/\nSELECT 1 AS id\n",
    });
    expect((await build(dir)).published).toBe(true);
    await db.query("CREATE TABLE sy.child (k int REFERENCES sy.k_t (id)); INSERT INTO sy.child VALUES (1)");
    const refused = await build(dir);
    expect(refused.published).toBe(false);
    expect(refused.models[0]?.error).toMatch(/foreign key child_k_fkey of sy\.child references sy\.k_t/);
    expect(
      await one(
        "SELECT count(*)::int AS n FROM pg_constraint WHERE conrelid = 'sy.child'::regclass AND contype = 'f'",
      ),
    ).toEqual({ n: 1 });
  });

  it("a bigint past 2^53 in a failing warn audit's sample: published, with the warning", async () => {
    const dir = tempProject({
      "project.yml": "name: t\n",
      "models/big.sql":
        '/*---\nmaterialized: table\nschema: sz\ntests: [{expression: "v > 5", severity: warn}]\n---*/\nSELECT 9007199254740993::bigint AS id, 1 AS v\n',
    });
    const built = await build(dir);
    expect(built.published).toBe(true);
    expect(built.audits.map((a) => [a.status, a.sample])).toEqual([
      ["fail", [{ id: "9007199254740993", v: 1 }]],
    ]);
  });
});
