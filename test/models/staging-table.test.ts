import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../../src/config/load-project.ts";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import { buildModels } from "../../src/transform/build-models.ts";
import { planProject } from "../../src/transform/plan-project.ts";
import { runDataTests } from "../../src/transform/run-data-tests.ts";
import { createTestDatabase, embeddedAdminUrl, type TestDatabase } from "../helpers/pg.ts";

/**
 * The typed staging table (models/staging/stg_attempts.sql, ADR 0015): each landed or re-sent
 * record is parsed once per build, a record sent again is typed again and merged again downstream,
 * the quarantine takes the record from raw, a full refresh gives the same tables; on both servers.
 */

type Rec = Record<string, unknown>;

// Double-quoted values take the parser's second path (elt._py_literal_other), which a test can count.
const pb = (task: string) => `{'oauth_consumer_key': '', 'lis_result_sourcedid': "Kid's-${task}"}`;
const attempt = (user: string, at: string, isCorrect: number | null, task = "t1"): Rec => ({
  lti_user_id: user,
  passback_params: pb(task),
  is_correct: isCorrect,
  attempt_type: isCorrect === null ? "run" : "submit",
  created_at: at,
});

const plan = () => {
  const { config } = loadProject(PACKAGE_ROOT, { env: {} });
  return planProject({ projectDir: PACKAGE_ROOT, config });
};

let pgdb: TestDatabase;
let embdb: TestDatabase;
beforeAll(async () => {
  pgdb = await createTestDatabase("staging_table");
  embdb = await createTestDatabase("staging_table", embeddedAdminUrl());
});
afterAll(async () => {
  await pgdb?.drop();
  await embdb?.drop();
});

describe.each([
  ["PostgreSQL", () => pgdb.url],
  ["embedded PostgreSQL", () => embdb.url],
])("the staging table on %s", (_engine, url) => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ url: url(), embeddedDir: "unused" });
    await migrate(db, {});
    // Counts the calls of the parser's second path: a sequence moved by a wrapper around it.
    await db.query(`CREATE SEQUENCE public.parses;
      ALTER FUNCTION elt._py_literal_other(text) RENAME TO _py_literal_other_counted;
      CREATE FUNCTION elt._py_literal_other(src text) RETURNS jsonb LANGUAGE plpgsql STRICT AS $$
        BEGIN PERFORM nextval('public.parses'); RETURN elt._py_literal_other_counted(src); END $$`);
  });
  afterAll(async () => {
    await db?.close();
  });

  /** Lands records as a new load; a record already in raw is sent again: its seq moves up, as landing does. */
  async function land(load: number, records: Rec[]): Promise<number[]> {
    const { rows } = await db.query<{ id: string }>(
      `WITH given AS (
         SELECT r, o FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e (r, o)
       ), resent AS (
         UPDATE raw.api_attempts AS a SET seq = nextval('raw.api_attempts_seq'), last_load_id = $1
           FROM given WHERE a.record_hash = md5(given.r::text) RETURNING a.id, given.o
       ), fresh AS (
         INSERT INTO raw.api_attempts (load_id, last_load_id, record, record_hash)
         SELECT $1, $1, r, md5(r::text) FROM given
          WHERE NOT EXISTS (SELECT 1 FROM raw.api_attempts AS a WHERE a.record_hash = md5(given.r::text))
          ORDER BY o
         RETURNING id, record
       )
       SELECT id FROM resent UNION ALL SELECT id FROM fresh`,
      [load, JSON.stringify(records)],
    );
    return rows.map((r) => Number(r.id));
  }

  const parses = async () => {
    const { rows } = await db.query<{ n: string }>(
      "SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM public.parses",
    );
    return Number(rows[0]?.n);
  };
  const build = async (fullRefresh = false) => {
    const before = await parses();
    const out = await buildModels(db, plan(), { fullRefresh });
    expect(out.models.filter((m) => m.status !== "success")).toEqual([]);
    expect(out.published).toBe(true);
    return { models: out.models, parsed: (await parses()) - before };
  };
  const grade = async () =>
    (
      await db.query(
        `SELECT user_id, created_at::text AS at, is_correct, lis_result_sourcedid
           FROM grade.lms_grade_statistics ORDER BY user_id, created_at`,
      )
    ).rows;
  const quarantine = async () =>
    (
      await db.query<{
        raw_id: string;
        reason: string;
        record: Rec;
        created_at_text: string | null;
        landed_at: Date;
        quarantined_at: Date;
      }>(
        "SELECT raw_id, reason, record, created_at_text, landed_at, quarantined_at FROM grade.lms_grade_quarantine ORDER BY raw_id",
      )
    ).rows;

  const first = attempt("u1", "2024-03-01 08:00:00", 0);
  const second = attempt("u1", "2024-03-01 08:00:00", 1); // the same attempt, is_correct flipped
  const bad = { ...attempt("u2", "2024-03-01 09:00:00", null), created_at: "2024-02-30 09:00:00" };

  it("parses each landed record once per build, and grade, quarantine and the audit read typed columns", async () => {
    await land(1, [first, attempt("u2", "2024-03-01 08:30:00", null, "t2"), bad]);
    const built = await build();
    expect(built.parsed).toBe(3);
    expect(built.models.find((m) => m.name === "stg_attempts")).toMatchObject({ mode: "full", rows: 3 });
    expect(await grade()).toEqual([
      { user_id: "u1", at: "2024-03-01 08:00:00", is_correct: 0, lis_result_sourcedid: "Kid's-t1" },
      { user_id: "u2", at: "2024-03-01 08:30:00", is_correct: null, lis_result_sourcedid: "Kid's-t2" },
    ]);
    // The quarantine's record and created_at text come from raw, by id.
    const q = await quarantine();
    expect(q.map((r) => [r.reason, r.record, r.created_at_text])).toEqual([
      ["bad_created_at", bad, "2024-02-30 09:00:00"],
    ]);
    // Nothing new: nothing parsed, nothing merged.
    const again = await build();
    expect(again.parsed).toBe(0);
    expect(again.models.filter((m) => m.rows).map((m) => m.name)).toEqual([]);
  });

  it("types a record sent again once more and merges it again downstream: the version sent last wins", async () => {
    const [secondId] = await land(2, [second]);
    expect((await build()).parsed).toBe(1);
    expect((await grade())[0]).toMatchObject({ user_id: "u1", is_correct: 1 });
    // The first version sent again: landing moves its seq up; staging types it again, grade takes it.
    const before = await quarantine();
    const [firstAgain, badAgain] = await land(3, [first, bad]);
    const built = await build();
    expect(built.parsed).toBe(2);
    expect(built.models.find((m) => m.name === "stg_attempts")).toMatchObject({
      mode: "incremental",
      rows: 2,
    });
    expect((await grade())[0]).toMatchObject({ user_id: "u1", is_correct: 0 });
    const { rows } = await db.query<{ _raw_id: string; _seq: string; seq: string }>(
      `SELECT s._raw_id, s._seq, r.seq FROM staging.stg_attempts AS s JOIN raw.api_attempts AS r ON r.id = s._raw_id
        WHERE s._raw_id = ANY ($1) ORDER BY s._raw_id`,
      [[firstAgain, badAgain, secondId]],
    );
    expect(rows.every((r) => r._seq === r.seq)).toBe(true);
    // The bad record sent again is merged again, not duplicated (a new quarantined_at).
    const after = await quarantine();
    expect(after.map((r) => r.raw_id)).toEqual(before.map((r) => r.raw_id));
    expect(after[0]?.quarantined_at).not.toEqual(before[0]?.quarantined_at);
    expect((await runDataTests(db, plan())).filter((t) => t.status !== "pass")).toEqual([]);
  });

  it("rebuilds the same tables from raw on --full-refresh, parsing every record once", async () => {
    const stg = async () => (await db.query("SELECT * FROM staging.stg_attempts ORDER BY _raw_id")).rows;
    const [g, q, s] = [await grade(), await quarantine(), await stg()];
    const { n } = (await db.query<{ n: string }>("SELECT count(*) AS n FROM raw.api_attempts")).rows[0] ?? {};
    const refreshed = await build(true);
    expect(refreshed.parsed).toBe(Number(n));
    expect(await grade()).toEqual(g);
    expect((await quarantine()).map(({ quarantined_at: _, ...r }) => r)).toEqual(
      q.map(({ quarantined_at: _, ...r }) => r),
    );
    expect(await stg()).toEqual(s);
  });

  it("keeps a build of grade alone from skipping records staging has not typed yet", async () => {
    await land(4, [attempt("u3", "2024-03-02 10:00:00", null)]);
    const only = planProject({
      projectDir: PACKAGE_ROOT,
      config: loadProject(PACKAGE_ROOT, { env: {} }).config,
      select: ["lms_grade_statistics"],
    });
    expect((await buildModels(db, only)).models.map((m) => [m.name, m.rows])).toEqual([
      ["lms_grade_statistics", 0],
    ]);
    await build();
    expect((await grade()).map((r) => r.user_id)).toContain("u3");
  });
});
