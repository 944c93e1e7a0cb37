import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../../src/config/load-project.ts";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { applyBuild } from "../../src/transform/apply-build.ts";
import { buildModels, type ModelResult } from "../../src/transform/build-models.ts";
import { readBuildState } from "../../src/transform/build-state.ts";
import { planBuild } from "../../src/transform/plan-build.ts";
import { planProject } from "../../src/transform/plan-project.ts";
import { runDataTests } from "../../src/transform/run-data-tests.ts";
import { createTestDatabase, embeddedAdminUrl, type TestDatabase } from "../helpers/pg.ts";
import { tempProject } from "../helpers/project.ts";

const FIXTURE = join(import.meta.dirname, "../fixtures/engine-project");

function plan(dir: string, select?: string[]) {
  const { config } = loadProject(dir, { env: {} });
  return planProject({ projectDir: dir, config, ...(select ? { select } : {}) });
}

const brief = (rs: ModelResult[]) => rs.map((r) => [r.name, r.status, r.rows, r.mode ?? null]);

async function rows(db: Database, sql: string) {
  return (await db.query(sql)).rows;
}

const EVENTS = `
  CREATE SCHEMA IF NOT EXISTS app;
  CREATE TABLE app.events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id text, kind text, amount numeric, at timestamp);
  INSERT INTO app.events (user_id, kind, amount, at) VALUES
    ('u1', 'click', 1.5, '2024-02-01'), ('u1', 'buy', 10, '2024-02-02'),
    ('u2', 'buy', 3.25, '2024-02-03'), ('u3', 'click', 1, '2023-01-01');`;

let pgdb: TestDatabase;
let embdb: TestDatabase;
beforeAll(async () => {
  pgdb = await createTestDatabase("engine_build");
  embdb = await createTestDatabase("engine_build", embeddedAdminUrl());
});
afterAll(async () => {
  await pgdb?.drop();
  await embdb?.drop();
});

describe.each([
  ["PostgreSQL", () => openDatabase({ url: pgdb.url, embeddedDir: "unused" })],
  ["embedded PostgreSQL", () => openDatabase({ url: embdb.url, embeddedDir: "unused" })],
])("building models on %s", (_engine, open) => {
  let db: Database;
  beforeAll(async () => {
    db = await open();
    await migrate(db, {});
    await db.query(EVENTS);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("builds the fixture, merges only new rows incrementally, and equals a full refresh", async () => {
    const project = mkdtempSync(join(tmpdir(), "elt-fixture-"));
    cpSync(FIXTURE, project, { recursive: true });
    const p = plan(project);
    expect(brief((await buildModels(db, p)).models)).toEqual([
      ["stg_events", "success", null, "full"],
      ["event_log", "success", 3, "full"],
      ["daily_kinds", "success", null, "full"],
      ["user_totals", "success", 2, "full"],
    ]);
    // A view nobody manages, on a table the engine swaps: it must survive.
    await db.query(
      "CREATE VIEW public.big_spenders AS SELECT user_id FROM analytics.user_totals WHERE total_cents > 600",
    );
    await db.query(
      "INSERT INTO app.events (user_id, kind, amount, at) VALUES ('u2', 'click', 2, '2024-03-01')",
    );

    const second = (await buildModels(db, p)).models;
    expect(brief(second)).toEqual([
      ["stg_events", "success", null, "full"],
      ["event_log", "success", 1, "incremental"],
      ["daily_kinds", "success", null, "full"],
      ["user_totals", "success", 2, "full"],
    ]);
    const log = await rows(
      db,
      "SELECT event_id, user_id, kind, amount FROM grade.event_log ORDER BY event_id",
    );
    expect(log).toEqual([
      { event_id: 1, user_id: "u1", kind: "click", amount: 1.5 },
      { event_id: 2, user_id: "u1", kind: "buy", amount: 10 },
      { event_id: 3, user_id: "u2", kind: "buy", amount: 3.25 },
      { event_id: 5, user_id: "u2", kind: "click", amount: 2 },
    ]);
    // The watermark column is in the SELECT, not in the table; its maximum is the model's state.
    expect(
      await rows(
        db,
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'grade' AND table_name = 'event_log' ORDER BY ordinal_position",
      ),
    ).toEqual([
      { column_name: "event_id", data_type: "bigint" },
      { column_name: "user_id", data_type: "text" },
      { column_name: "kind", data_type: "text" },
      { column_name: "amount", data_type: "numeric" },
    ]);
    expect(await rows(db, "SELECT watermark FROM elt.model_state WHERE model = 'event_log'")).toEqual([
      { watermark: 5 },
    ]);
    expect(await rows(db, "SELECT user_id FROM public.big_spenders")).toEqual([{ user_id: "u1" }]);

    // Nothing new: nothing merged, watermark kept.
    expect(brief((await buildModels(db, plan(project, ["event_log"]))).models)).toEqual([
      ["event_log", "success", 0, "incremental"],
    ]);
    expect(await rows(db, "SELECT watermark FROM elt.model_state WHERE model = 'event_log'")).toEqual([
      { watermark: 5 },
    ]);

    const refreshed = (await buildModels(db, p, { fullRefresh: true })).models;
    expect(brief(refreshed)[1]).toEqual(["event_log", "success", 4, "full"]);
    expect(
      await rows(db, "SELECT event_id, user_id, kind, amount FROM grade.event_log ORDER BY event_id"),
    ).toEqual(log);
    expect(await rows(db, "SELECT watermark FROM elt.model_state WHERE model = 'event_log'")).toEqual([
      { watermark: 5 },
    ]);
    // The dependent view model was recreated on the swapped table; keys and indexes are on the final name.
    expect(await rows(db, "SELECT kind, events FROM analytics.daily_kinds ORDER BY kind")).toEqual([
      { kind: "buy", events: 2 },
      { kind: "click", events: 2 },
    ]);
    expect(
      await rows(
        db,
        "SELECT indexname FROM pg_indexes WHERE schemaname IN ('grade', 'analytics') AND tablename IN ('event_log', 'user_totals') ORDER BY 1",
      ),
    ).toEqual([
      { indexname: "event_log_pkey" },
      { indexname: "user_totals_pkey" },
      { indexname: "user_totals_total_cents_idx" },
    ]);
    expect(
      await rows(db, "SELECT obj_description('analytics.daily_kinds'::regclass, 'pg_class') AS d"),
    ).toEqual([{ d: "Events and amount per kind, over the incremental log." }]);
    const recorded = await rows(db, "SELECT status, count(*)::int AS n FROM elt.model_runs GROUP BY status");
    expect(recorded).toEqual([{ status: "success", n: 13 }]); // 4 + 4 + 1 + 4 builds
  });

  it("keeps the previous relation when a build fails and skips its descendants", async () => {
    const project = tempProject({
      "project.yml": "name: t\n",
      "models/t_base.sql":
        "/*---\nmaterialized: table\nschema: fail_case\n---*/\nSELECT 1 AS a, 'one' AS b\n",
      "models/v_base.sql": '/*---\nschema: fail_case\n---*/\nSELECT a, b FROM {{ref "t_base"}}\n',
      "models/v_child.sql": '/*---\nschema: fail_case\n---*/\nSELECT a FROM {{ref "v_base"}}\n',
      "models/inc.sql":
        "/*---\nmaterialized: incremental\nschema: fail_case\nunique_key: id\n---*/\nSELECT 1 AS id, 'x' AS v\n",
      "models/other.sql": "/*---\nschema: fail_case\n---*/\nSELECT 42 AS answer\n",
    });
    expect((await buildModels(db, plan(project))).models.map((r) => r.status)).toEqual(
      Array(5).fill("success"),
    );

    writeFileSync(
      join(project, "models/t_base.sql"),
      "/*---\nmaterialized: table\nschema: fail_case\n---*/\nSELECT 1 / 0 AS a, 'two' AS b\n",
    );
    writeFileSync(
      join(project, "models/inc.sql"),
      "/*---\nmaterialized: incremental\nschema: fail_case\nunique_key: id\n---*/\nSELECT 2 AS id, 'y' AS v, 1 / 0 AS boom\n",
    );
    const results = (await buildModels(db, plan(project))).models;
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ["inc", "failed"],
      ["other", "success"],
      ["t_base", "failed"],
      ["v_base", "skipped"],
      ["v_child", "skipped"],
    ]);
    expect(results[2]?.error).toMatch(/division by zero/);
    expect(results[3]?.error).toBe("upstream t_base failed");
    expect(await rows(db, "SELECT a, b FROM fail_case.v_child JOIN fail_case.t_base USING (a)")).toEqual([
      { a: 1, b: "one" },
    ]);
    expect(await rows(db, "SELECT id, v FROM fail_case.inc")).toEqual([{ id: 1, v: "x" }]);
    // A view whose new SQL fails keeps its old definition too.
    writeFileSync(
      join(project, "models/t_base.sql"),
      "/*---\nmaterialized: table\nschema: fail_case\n---*/\nSELECT 1 AS a, 'one' AS b\n",
    );
    writeFileSync(
      join(project, "models/other.sql"),
      '/*---\nschema: fail_case\n---*/\nSELECT no_such_column FROM {{ref "t_base"}}\n',
    );
    const again = (await buildModels(db, plan(project, ["other"]))).models;
    expect(again[0]?.status).toBe("failed");
    expect(await rows(db, "SELECT answer FROM fail_case.other")).toEqual([{ answer: 42 }]);
  });

  it("replaces a view whose columns changed, with its dependents, and switches materializations", async () => {
    const files = (v: string, w = "view") => ({
      "project.yml": "name: t\n",
      "models/v.sql": `/*---\nmaterialized: ${w}\nschema: shapes\n---*/\n${v}\n`,
      "models/w.sql": '/*---\nschema: shapes\n---*/\nSELECT * FROM {{ref "v"}}\n',
    });
    const dir = tempProject(files("SELECT 1 AS a, 2 AS b"));
    expect((await buildModels(db, plan(dir))).models.map((r) => r.status)).toEqual(["success", "success"]);
    for (const [sql, m] of [
      ["SELECT 'x'::text AS a", "view"],
      ["SELECT 'x'::text AS a, 3 AS c", "table"],
      ["SELECT 7 AS z", "view"],
    ] as const) {
      const next = tempProject(files(sql, m));
      // Only v is selected: w is recreated on the new v (from its model SQL), not left dropped.
      expect((await buildModels(db, plan(next, ["v"]))).models.map((r) => r.status)).toEqual(["success"]);
      const kind = await rows(db, "SELECT relkind FROM pg_class WHERE oid = 'shapes.v'::regclass");
      expect(kind).toEqual([{ relkind: m === "view" ? "v" : "r" }]);
    }
    expect(await rows(db, "SELECT * FROM shapes.w")).toEqual([{ z: 7 }]);
  });

  it("rebuilds in full when the table has no unique index on the key; duplicate keys fail with the hint", async () => {
    const model = (head: string, sql: string) =>
      tempProject({
        "project.yml": "name: t\n",
        "models/m.sql": `/*---\nschema: keys\n${head}---*/\n${sql}\n`,
      });
    const modes = async (dir: string) => brief((await buildModels(db, plan(dir))).models);
    expect(await modes(model("materialized: table\n", "SELECT 1 AS id, 'a' AS v"))).toEqual([
      ["m", "success", 1, "full"],
    ]);
    const inc = model(
      "materialized: incremental\nunique_key: id\n",
      "SELECT 1 AS id, 'b' AS v UNION ALL SELECT 2, 'c'",
    );
    expect(await modes(inc)).toEqual([["m", "success", 2, "full"]]);
    expect(await modes(inc)).toEqual([["m", "success", 2, "incremental"]]);
    const dup = model(
      "materialized: incremental\nunique_key: id\n",
      "SELECT 1 AS id, 'x' AS v UNION ALL SELECT 1, 'y'",
    );
    const [failed] = (await buildModels(db, plan(dup))).models;
    expect(failed?.error).toMatch(/cannot affect row a second time.*—.*duplicate/);
    expect(await rows(db, "SELECT id, v FROM keys.m ORDER BY id")).toEqual([
      { id: 1, v: "b" },
      { id: 2, v: "c" },
    ]);
  });

  it("supports the grade pattern: latest landed version wins, append-only quarantine, state-only watermark", async () => {
    await db.query(`CREATE SCHEMA rawx;
      CREATE TABLE rawx.attempts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, record jsonb NOT NULL)`);
    const land = (...records: object[]) =>
      db.query("INSERT INTO rawx.attempts (record) SELECT * FROM jsonb_array_elements($1::jsonb)", [
        JSON.stringify(records),
      ]);
    const dir = tempProject({
      "project.yml": "name: t\n",
      "models/sources.yml": "sources:\n  land:\n    schema: rawx\n    tables: [attempts]\n",
      "models/stg.sql": `/*---\nschema: gp\n---*/
SELECT r.id AS raw_id, r.record->>'user' AS user_id, (r.record->>'at')::timestamp AS created_at,
       (r.record->>'ok')::int AS is_correct,
       CASE WHEN r.record->>'user' IS NULL THEN 'missing user' END AS reject_reason
FROM {{source "land" "attempts"}} AS r
`,
      "models/stats.sql": `/*---
schema: gp
materialized: incremental
unique_key: [user_id, created_at]
primary_key: [user_id, created_at]
watermark: _raw_id
contract: {user_id: varchar not null, created_at: timestamp not null, is_correct: integer}
---*/
SELECT DISTINCT ON (user_id, created_at) user_id, created_at, is_correct, raw_id AS _raw_id
FROM {{ref "stg"}}
WHERE reject_reason IS NULL
{{#if is_incremental}}  AND raw_id > {{watermark}}{{/if}}
ORDER BY user_id, created_at, raw_id DESC
`,
      "models/quarantine.sql": `/*---\nschema: gp\nmaterialized: incremental\nwatermark: _raw_id\n---*/
SELECT raw_id, reject_reason AS reason, raw_id AS _raw_id FROM {{ref "stg"}}
WHERE reject_reason IS NOT NULL {{#if is_incremental}}AND raw_id > {{watermark}}{{/if}}
`,
    });
    await land(
      { user: "u1", at: "2024-01-01 10:00", ok: 0 },
      { user: "u1", at: "2024-01-01 10:00", ok: 1 },
      { at: "x" },
    );
    const p = plan(dir);
    expect(brief((await buildModels(db, p)).models)).toEqual([
      ["stg", "success", null, "full"],
      ["quarantine", "success", 1, "full"],
      ["stats", "success", 1, "full"],
    ]);
    expect(await rows(db, "SELECT user_id, is_correct FROM gp.stats")).toEqual([
      { user_id: "u1", is_correct: 1 },
    ]);
    await land(
      { user: "u1", at: "2024-01-01 10:00", ok: 0 },
      { user: "u2", at: "2024-01-02 00:00", ok: null },
      {},
    );
    expect(brief((await buildModels(db, p)).models)).toEqual([
      ["stg", "success", null, "full"],
      ["quarantine", "success", 1, "incremental"],
      ["stats", "success", 2, "incremental"],
    ]);
    const stats = await rows(db, "SELECT user_id, created_at, is_correct FROM gp.stats ORDER BY user_id");
    expect(stats).toEqual([
      { user_id: "u1", created_at: new Date("2024-01-01T10:00:00Z"), is_correct: 0 },
      { user_id: "u2", created_at: new Date("2024-01-02T00:00:00Z"), is_correct: null },
    ]);
    expect(await rows(db, "SELECT raw_id, reason FROM gp.quarantine ORDER BY raw_id")).toEqual([
      { raw_id: 3, reason: "missing user" },
      { raw_id: 6, reason: "missing user" },
    ]);
    expect(
      await rows(
        db,
        "SELECT model, watermark FROM elt.model_state WHERE model IN ('stats', 'quarantine') ORDER BY 1",
      ),
    ).toEqual([
      { model: "quarantine", watermark: 6 },
      { model: "stats", watermark: 5 },
    ]);
    await buildModels(db, p, { fullRefresh: true });
    expect(await rows(db, "SELECT user_id, created_at, is_correct FROM gp.stats ORDER BY user_id")).toEqual(
      stats,
    );
    expect(await rows(db, "SELECT count(*)::int AS n FROM gp.quarantine")).toEqual([{ n: 2 }]);
  });

  it("writes a full build once and applies its contract after: assignment casts, audits before NOT NULL, defaults and checks", async () => {
    const model = (contract: string, select: string) => {
      const lines = contract.split("; ").map((c) => `  ${c.replace(": ", ': "')}"`);
      return `/*---
schema: wo
materialized: incremental
unique_key: id
primary_key: id
watermark: _w
contract:
${lines.join("\n")}
columns:
  kind: {tests: [not_null]}
---*/
SELECT ${select}, e.id AS _w FROM wo_src.events AS e
{{#if is_incremental}}WHERE e.id > {{watermark}}{{/if}}
`;
    };
    await db.query(`CREATE SCHEMA wo_src;
      CREATE TABLE wo_src.events (id bigint PRIMARY KEY, kind text, amount numeric);
      INSERT INTO wo_src.events VALUES (1, 'click', 1.5), (2, 'buy', 10), (3, 'buy', 3.25), (4, 'click', 1)`);
    const good = model(
      [
        "id: bigint not null references wo_src.events (id)",
        "kind: varchar(5) not null default 'none'",
        "amount: numeric(6, 1) constraint amount_positive check (amount >= 0)",
        "n: serial unique",
        "m: bigint generated by default as identity (start with 100)",
      ].join("; "),
      "e.id, e.kind, e.amount, e.id::int AS n, e.id * 10 AS m",
    );
    const dir = tempProject({ "project.yml": "name: t\n", "models/typed.sql": good });
    expect(brief((await buildModels(db, plan(dir))).models)).toEqual([["typed", "success", 4, "full"]]);
    // The contract's types (numeric(6, 1) rounds as an INSERT would), NOT NULLs, defaults, identity,
    // and constraints; the watermark column is gone.
    const columns = () =>
      rows(
        db,
        `SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS not_null,
                attidentity AS identity, pg_get_expr(d.adbin, d.adrelid) AS default
           FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE attrelid = 'wo.typed'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      );
    const expectedColumns = [
      { name: "id", type: "bigint", not_null: true, identity: "", default: null },
      {
        name: "kind",
        type: "character varying(5)",
        not_null: true,
        identity: "",
        default: "'none'::character varying",
      },
      { name: "amount", type: "numeric(6,1)", not_null: false, identity: "", default: null },
      {
        name: "n",
        type: "integer",
        not_null: true,
        identity: "",
        default: expect.stringMatching(/^nextval\('wo\.elt__contract_shape_n_seq\d*'::regclass\)$/),
      },
      { name: "m", type: "bigint", not_null: true, identity: "d", default: null },
    ];
    expect(await columns()).toEqual(expectedColumns);
    expect(await rows(db, "SELECT id::int, kind, amount::text, n, m::int FROM wo.typed ORDER BY id")).toEqual(
      [
        { id: 1, kind: "click", amount: "1.5", n: 1, m: 10 },
        { id: 2, kind: "buy", amount: "10.0", n: 2, m: 20 },
        { id: 3, kind: "buy", amount: "3.3", n: 3, m: 30 },
        { id: 4, kind: "click", amount: "1.0", n: 4, m: 40 },
      ],
    );
    const constraints = () =>
      rows(
        db,
        `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
          WHERE conrelid = 'wo.typed'::regclass ORDER BY contype, conname`,
      );
    expect(await constraints()).toEqual([
      { name: "amount_positive", def: "CHECK ((amount >= (0)::numeric))" },
      { name: "typed__elt_tmp_id_fkey", def: "FOREIGN KEY (id) REFERENCES wo_src.events(id)" },
      { name: "typed_pkey", def: "PRIMARY KEY (id)" },
      { name: "typed__elt_tmp_n_key", def: "UNIQUE (n)" },
    ]);
    // The serial's sequence now belongs to the table; the identity starts where the contract said.
    expect(
      await rows(
        db,
        `SELECT pg_get_serial_sequence('wo.typed', 'n') IS NOT NULL AS owned,
                nextval(pg_get_serial_sequence('wo.typed', 'm'))::int AS next_m,
                to_regclass('wo.elt__contract_shape') AS shape`,
      ),
    ).toEqual([{ owned: true, next_m: 100, shape: null }]);
    // Analyzed in the build (a sample), so what runs after it in the same build plans with statistics.
    expect(
      await rows(
        db,
        "SELECT attname FROM pg_stats WHERE schemaname = 'wo' AND tablename = 'typed' ORDER BY 1",
      ),
    ).toEqual(["amount", "id", "kind", "m", "n"].map((attname) => ({ attname })));
    // The next build merges into it (the dropped watermark column is no obstacle), and its state holds.
    await db.query("INSERT INTO wo_src.events VALUES (5, 'view', 2)");
    expect(brief((await buildModels(db, plan(dir))).models)).toEqual([
      ["typed", "success", 1, "incremental"],
    ]);
    expect(await rows(db, "SELECT watermark::int AS w FROM elt.model_state WHERE model = 'typed'")).toEqual([
      { w: 5 },
    ]);

    const fails = async (contract: string, select: string) => {
      writeFileSync(join(dir, "models/typed.sql"), model(contract, select));
      const built = await buildModels(db, plan(dir), { fullRefresh: true });
      return { result: built.models[0], audits: built.audits.filter((a) => a.status !== "pass") };
    };
    // A NULL that the contract refuses is reported by the audit, with its row, before NOT NULL would.
    const nulls = await fails(
      "id: bigint not null; kind: text not null; amount: numeric",
      "e.id, NULLIF(e.kind, 'buy') AS kind, e.amount",
    );
    expect(nulls.result?.status).toBe("failed");
    expect(nulls.audits.map((a) => [a.name, a.status, a.failures])).toEqual([
      ["not_null_typed_kind", "fail", 2],
    ]);
    // A type the SELECT's value does not convert to by assignment fails the build, as an INSERT did.
    const cast = await fails("id: bigint not null; kind: int; amount: numeric", "e.id, e.kind, e.amount");
    expect(cast.result?.error).toMatch(
      /the SELECT does not match the contract: column "kind" cannot be cast automatically to type integer — cast the column/,
    );
    // So do a value too long for its type, and a check it breaks.
    expect(
      (await fails("id: bigint; kind: varchar(3); amount: numeric", "e.id, e.kind, e.amount")).result?.error,
    ).toMatch(/value too long for type character varying\(3\)/);
    expect(
      (await fails("id: bigint; kind: text; amount: numeric check (amount > 5)", "e.id, e.kind, e.amount"))
        .result?.error,
    ).toMatch(/violated by some row/);
    // Each failure kept the table the last good build published.
    expect(await rows(db, "SELECT count(*)::int AS n FROM wo.typed")).toEqual([{ n: 5 }]);
    expect(await rows(db, "SELECT to_regclass('wo.elt__contract_shape') AS shape")).toEqual([
      { shape: null },
    ]);
    // A rebuild with the good contract again: new names where the old table still holds them.
    writeFileSync(join(dir, "models/typed.sql"), good);
    expect(brief((await buildModels(db, plan(dir), { fullRefresh: true })).models)).toEqual([
      ["typed", "success", 5, "full"],
    ]);
    expect(await columns()).toEqual(expectedColumns);
    expect((await constraints()).map((c) => c.def)).toEqual([
      "CHECK ((amount >= (0)::numeric))",
      "FOREIGN KEY (id) REFERENCES wo_src.events(id)",
      "PRIMARY KEY (id)",
      "UNIQUE (n)",
    ]);
  });

  it("screens a model's row tests in one scan; only a test with failing rows runs its own SQL", async () => {
    const dir = tempProject({
      "project.yml": "name: t\n",
      "models/orders.sql": `/*---
schema: screen
materialized: table
columns:
  id: {tests: [not_null, unique]}
  kind: {tests: [not_null, {accepted_values: {values: [a, b]}}]}
tests:
  - expression: "id > 0"
  - expression: "amount >= 0"
  - expression: "amount / (id - 3) < 100"
---*/
SELECT * FROM (VALUES (1, 'a', 5), (2, 'c', -1), (3, 'b', NULL)) AS t (id, kind, amount)
`,
    });
    const p = plan(dir);
    const sent: string[] = [];
    const audits = await db.transaction(async (tx) => {
      const build = planBuild(p, await readBuildState(tx, p));
      // The real transaction, recording what the runner sends.
      const recording = {
        ...tx,
        query: (sql: string, params?: readonly unknown[]) => {
          sent.push(sql);
          return tx.query(sql, params);
        },
      };
      return (await applyBuild(recording as typeof tx, build, { sampleRows: 5 })).audits;
    });
    expect(audits.map((a) => [a.name, a.status, a.failures])).toEqual([
      ["not_null_orders_id", "pass", 0],
      ["unique_orders_id", "pass", 0],
      ["not_null_orders_kind", "pass", 0],
      ["accepted_values_orders_kind", "fail", 1],
      ["expression_orders", "pass", 0],
      ["expression_orders_2", "fail", 1],
      ["expression_orders_3", "pass", 0],
    ]);
    expect(audits[3]?.sample).toEqual([{ id: 2, kind: "c", amount: -1 }]);
    // One scan screened the six row tests; only the two with failing rows, and unique (not a row
    // test), ran their own query; the results keep the tests' order.
    expect(sent.filter((q) => q.includes("bool_or("))).toHaveLength(1);
    expect(sent.filter((q) => q.includes("AS elt__failures LIMIT"))).toHaveLength(3);

    // A test that raises (division by zero on id 3) makes the screen fail: each runs on its own,
    // and only that one reports the error.
    const broken = tempProject({
      "project.yml": "name: t\n",
      "models/orders.sql": readFileSync(join(dir, "models/orders.sql"), "utf8").replace(
        "(id - 3) < 100",
        "(id - 3) < 100 OR id = 3 AND 1 / 0 = 1",
      ),
    });
    const again = (await buildModels(db, plan(broken), { sampleRows: 5 })).audits;
    expect(again.map((a) => [a.name, a.status])).toEqual([
      ["not_null_orders_id", "pass"],
      ["unique_orders_id", "pass"],
      ["not_null_orders_kind", "pass"],
      ["accepted_values_orders_kind", "fail"],
      ["expression_orders", "pass"],
      ["expression_orders_2", "fail"],
      ["expression_orders_3", "error"],
    ]);
    expect(again[6]?.error).toMatch(/division by zero/);
  });

  it("runs data tests: pass, fail with a sample, warn, and SQL errors; records them", async () => {
    const dir = tempProject({
      "project.yml": "name: t\n",
      "models/people.sql": `/*---
schema: dt
columns:
  id: {tests: [not_null, unique]}
  kind: {tests: [{accepted_values: {values: [a, b]}, severity: warn}]}
  boss: {tests: [{relationships: {to: people, field: id}}]}
tests:
  - unique: [kind, boss]
  - expression: "id > 0"
  - expression: "no_such_column > 0"
---*/
SELECT * FROM (VALUES (1, 'a', NULL), (2, 'c', 1), (2, 'a', 9), (NULL, 'a', 9)) AS t (id, kind, boss)
`,
      "tests/no_twos.sql": 'SELECT * FROM {{ref "people"}} WHERE id = 2\n',
    });
    const EXPECTED = [
      ["not_null_people_id", "error", "fail", 1],
      ["unique_people_id", "error", "fail", 1],
      ["accepted_values_people_kind", "warn", "fail", 1],
      ["relationships_people_boss", "error", "fail", 2],
      ["unique_people_kind__boss", "error", "fail", 1],
      ["expression_people", "error", "pass", 0],
      ["expression_people_2", "error", "error", 0],
      ["no_twos", "error", "fail", 2],
    ];
    const p = plan(dir);
    // Built with its tests as audits, the view is never published: the same findings, nothing visible.
    const audited = await buildModels(db, p, { sampleRows: 1 });
    expect(audited.published).toBe(false);
    // The singular test reads the model, which failed its own audits: it is not run.
    expect(audited.audits.map((r) => [r.name, r.severity, r.status, r.failures])).toEqual([
      ...EXPECTED.slice(0, -1),
      ["no_twos", "error", "error", 0],
    ]);
    expect(audited.audits.at(-1)?.error).toBe("not run: model people was not built");
    expect(audited.models.map((m) => [m.status, m.published])).toEqual([["failed", false]]);
    expect(await rows(db, "SELECT to_regclass('dt.people') IS NULL AS unpublished")).toEqual([
      { unpublished: true },
    ]);
    // Published without them (a plan is data), `elt test` finds the same on the whole relation.
    expect((await buildModels(db, { ...p, tests: [] })).published).toBe(true);
    const results = await runDataTests(db, p, { sampleRows: 1 });
    expect(results.map((r) => [r.name, r.severity, r.status, r.failures])).toEqual(EXPECTED);
    expect(results[0]?.sample).toEqual([{ id: null, kind: "a", boss: 9 }]);
    expect(results[2]?.sample).toEqual([{ id: 2, kind: "c", boss: 1 }]);
    expect(results[4]?.sample).toEqual([{ kind: "a", boss: 9, n: 2 }]);
    expect(results[6]?.error).toMatch(/no_such_column/);
    expect(
      await rows(
        db,
        "SELECT status, count(*)::int AS n FROM elt.test_results WHERE scope IS NULL GROUP BY status ORDER BY status",
      ),
    ).toEqual([
      { status: "error", n: 1 },
      { status: "fail", n: 6 },
      { status: "pass", n: 1 },
    ]);
  });
});
