import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../../src/config/load-project.ts";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import { buildModels, type ModelResult } from "../../src/transform/build-models.ts";
import { planProject } from "../../src/transform/plan-project.ts";
import { runDataTests } from "../../src/transform/run-data-tests.ts";
import { createTestDatabase, embeddedAdminUrl, type TestDatabase } from "../helpers/pg.ts";

/**
 * The shipped models (models/, tests/) over hand-made records landed straight into raw.api_attempts:
 * staging reasons per kind of bad record, the grade table, latest landed wins, incremental equals a
 * full refresh, the daily aggregates against an independent computation here, on both engines.
 */

type Rec = Record<string, unknown>;

const passback = (user: string, task = "DST-3.0", url = true): string =>
  `{'oauth_consumer_key': '', 'lis_result_sourcedid': 'course-v1:SkillFactory+${task}:lms.skillfactory.ru-b1:${user}'${
    url ? `, 'lis_outcome_service_url': 'https://lms.skillfactory.ru/courses/${task}/grade_handler'` : ""
  }}`;
const KIDS = (user: string) =>
  `{'oauth_consumer_key': '', 'lis_result_sourcedid': "course-v1:SkillFactory+Kid's-Code:lms.skillfactory.ru-b2:${user}"}`;

const attempt = (
  user: string,
  type: string,
  isCorrect: unknown,
  at: string,
  pb: unknown = passback(user),
): Rec => ({
  lti_user_id: user,
  passback_params: pb,
  is_correct: isCorrect,
  attempt_type: type,
  created_at: at,
});

/** Good records of the first load. */
const GOOD_1: Rec[] = [
  attempt("u1", "run", null, "2024-03-01 08:00:00.5"),
  attempt("u1", "submit", 0, "2024-03-01 08:05:00"),
  attempt("u1", "submit", 1, "2024-03-01 09:10:00.123456"),
  attempt("u2", "submit", true, "2024-03-01 09:30:00", KIDS("u2")),
  attempt("u2", "run", null, "2024-03-01 09:45:00", passback("u2", "PY-2.0")),
  attempt("u2", "run", null, "2024-03-02 23:59:59.999999", passback("u2", "DST-3.0", false)),
  attempt("u3", "submit", false, "2024-03-02 00:00:00"),
  attempt("u3", "run", null, "2024-03-02T10:00:00"),
  attempt("u3", "submit", 1, "2024-03-02 10:30:00", passback("u3", "PY-2.0")),
];

/** One bad record per reason (some reasons twice, in different shapes). */
const BAD_1: [string, Rec | unknown][] = [
  ["missing_user_id", { ...attempt("x", "run", null, "2024-03-01 10:00:00"), lti_user_id: undefined }],
  ["missing_user_id", attempt("", "run", null, "2024-03-01 10:00:01")],
  ["bad_user_id", { ...attempt("x", "run", null, "2024-03-01 10:00:02"), lti_user_id: 123 }],
  ["missing_created_at", { ...attempt("u9", "run", null, ""), created_at: undefined }],
  ["bad_created_at", attempt("u9", "run", null, "2023-02-30 25:61:00")],
  ["bad_created_at", attempt("u9", "run", null, "not a date")],
  ["bad_created_at", attempt("u9", "run", null, "2023-02-29 10:00:00")],
  ["bad_attempt_type", attempt("u9", "compile", null, "2024-03-01 10:00:03")],
  ["bad_is_correct", attempt("u9", "submit", 2, "2024-03-01 10:00:04")],
  ["bad_is_correct", attempt("u9", "submit", "1", "2024-03-01 10:00:05")],
  ["is_correct_on_run", attempt("u9", "run", 1, "2024-03-01 10:00:06")],
  ["submit_without_is_correct", attempt("u9", "submit", null, "2024-03-01 10:00:07")],
  ["missing_passback", attempt("u9", "run", null, "2024-03-01 10:00:08", null)],
  ["missing_passback", attempt("u9", "run", null, "2024-03-01 10:00:09", "")],
  ["bad_passback", attempt("u9", "run", null, "2024-03-01 10:00:10", "{'oauth_consumer_key': '")],
  ["bad_passback", attempt("u9", "run", null, "2024-03-01 10:00:11", "['oauth_consumer_key']")],
  ["bad_passback", attempt("u9", "run", null, "2024-03-01 10:00:12", { oauth_consumer_key: "" })],
  [
    "missing_oauth_consumer_key",
    attempt("u9", "run", null, "2024-03-01 10:00:13", "{'lis_result_sourcedid': 'x'}"),
  ],
  ["value_too_long", attempt("u".repeat(300), "run", null, "2024-03-01 10:00:14")],
  ["bad_record", [1, 2, 3]],
];

/** The second load: new attempts, a key landed again (the newer version wins), more bad ones. */
const GOOD_2: Rec[] = [
  attempt("u1", "submit", 1, "2024-03-01 08:05:00"), // was 0 in load 1
  attempt("u4", "run", null, "2024-03-02 10:15:00"),
  attempt("u4", "submit", 0, "2024-03-02 10:16:00"),
  attempt("u1", "run", null, "2024-03-03 01:00:00"),
];
const BAD_2: [string, Rec][] = [["bad_attempt_type", attempt("u4", "RUN", null, "2024-03-03 01:00:01")]];

async function land(db: Database, loadId: number, records: unknown[]): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO raw.api_attempts (load_id, record, record_hash)
     SELECT $1, r, md5(r::text) FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e (r, o) ORDER BY o
     RETURNING id`,
    [loadId, JSON.stringify(records)],
  );
  return rows.map((r) => Number(r.id));
}

interface GradeRow {
  user_id: string;
  oauth_consumer_key: string;
  lis_result_sourcedid: string | null;
  lis_outcome_service_url: string | null;
  is_correct: number | null;
  attempt_type: string;
  created_at: Date;
}

/** What the grade table should hold for good records (latest landed wins), computed here. */
function expectedGrade(records: Rec[]): GradeRow[] {
  const byKey = new Map<string, GradeRow>();
  for (const r of records) {
    const pb = String(r.passback_params);
    // The fixtures' strings hold no escapes: a value is '...' or "..." (when it holds an apostrophe).
    const field = (k: string) => {
      const m = pb.match(new RegExp(`'${k}': (?:'([^']*)'|"([^"]*)")`));
      return m ? (m[1] ?? m[2] ?? null) : null;
    };
    const at = new Date(`${String(r.created_at).replace(" ", "T")}Z`);
    const row: GradeRow = {
      user_id: String(r.lti_user_id),
      oauth_consumer_key: "",
      lis_result_sourcedid: field("lis_result_sourcedid"),
      lis_outcome_service_url: field("lis_outcome_service_url"),
      is_correct: r.is_correct === null ? null : Number(r.is_correct),
      attempt_type: String(r.attempt_type),
      created_at: at,
    };
    byKey.set(`${row.user_id}|${at.toISOString()}`, row);
  }
  return [...byKey.values()].sort(byUserTime);
}

const byUserTime = (a: GradeRow, b: GradeRow) =>
  a.user_id.localeCompare(b.user_id) || a.created_at.getTime() - b.created_at.getTime();

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

/** grade.daily_summary computed independently from the grade rows. */
function expectedDaily(rows: GradeRow[]) {
  const dayOf = (r: GradeRow) => r.created_at.toISOString().slice(0, 10);
  const firstDay = new Map<string, string>();
  for (const r of [...rows].sort(byUserTime)) if (!firstDay.has(r.user_id)) firstDay.set(r.user_id, dayOf(r));
  const days = [...new Set(rows.map(dayOf))].sort();
  return days.map((day) => {
    const rs = rows
      .filter((r) => dayOf(r) === day)
      .sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
    const submits = rs.filter((r) => r.attempt_type === "submit");
    const correct = submits.filter((r) => r.is_correct === 1);
    const users = new Set(rs.map((r) => r.user_id));
    const firstSubmits = new Map<string, GradeRow>();
    for (const r of submits) if (!firstSubmits.has(r.user_id)) firstSubmits.set(r.user_id, r);
    const hours = new Array(24).fill(0) as number[];
    for (const r of rs) hours[r.created_at.getUTCHours()] = (hours[r.created_at.getUTCHours()] ?? 0) + 1;
    const fs = [...firstSubmits.values()];
    return {
      day,
      attempts: rs.length,
      runs: rs.length - submits.length,
      submits: submits.length,
      correct_submits: correct.length,
      success_rate: submits.length ? round(correct.length / submits.length, 4) : null,
      unique_users: users.size,
      users_with_success: new Set(correct.map((r) => r.user_id)).size,
      avg_attempts_per_user: round(rs.length / users.size, 2),
      first_submit_success_rate: fs.length
        ? round(fs.filter((r) => r.is_correct === 1).length / fs.length, 4)
        : null,
      peak_hour: hours.indexOf(Math.max(...hours)),
      new_users: [...firstDay.values()].filter((d) => d === day).length,
    };
  });
}

function expectedTaskDaily(rows: GradeRow[]) {
  const groups = new Map<string, GradeRow[]>();
  for (const r of rows) {
    const key = `${r.created_at.toISOString().slice(0, 10)}|${r.lis_result_sourcedid}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.entries()]
    .map(([key, rs]) => {
      const submits = rs.filter((r) => r.attempt_type === "submit");
      const correct = submits.filter((r) => r.is_correct === 1).length;
      return {
        day: key.slice(0, 10),
        lis_result_sourcedid: rs[0]?.lis_result_sourcedid ?? null,
        attempts: rs.length,
        submits: submits.length,
        correct_submits: correct,
        success_rate: submits.length ? round(correct / submits.length, 4) : null,
        users: new Set(rs.map((r) => r.user_id)).size,
      };
    })
    .sort(
      (a, b) =>
        a.day.localeCompare(b.day) ||
        String(a.lis_result_sourcedid).localeCompare(String(b.lis_result_sourcedid)),
    );
}

const plan = (select?: string[]) => {
  const { config } = loadProject(PACKAGE_ROOT, { env: {} });
  return planProject({ projectDir: PACKAGE_ROOT, config, ...(select ? { select } : {}) });
};
const brief = (rs: ModelResult[]) =>
  rs.map((r) => [r.name, r.status, r.rows, r.mode ?? null, r.error ?? null]);

async function snapshot(db: Database) {
  const q = async (sql: string) => (await db.query(sql)).rows;
  return {
    grade: (await q(
      `SELECT user_id, oauth_consumer_key, lis_result_sourcedid, lis_outcome_service_url, is_correct, attempt_type,
              created_at FROM grade.lms_grade_statistics ORDER BY user_id, created_at`,
    )) as unknown as GradeRow[],
    quarantine: await q(
      "SELECT raw_id, load_id, reason, record, created_at_text FROM grade.lms_grade_quarantine ORDER BY raw_id",
    ),
    daily: await q("SELECT * FROM grade.daily_summary ORDER BY day"),
    task: await q("SELECT * FROM grade.daily_task_summary ORDER BY day, lis_result_sourcedid"),
  };
}

let pgdb: TestDatabase;
let embdb: TestDatabase;
const results = new Map<string, Awaited<ReturnType<typeof snapshot>>>();

beforeAll(async () => {
  pgdb = await createTestDatabase("grade_models");
  embdb = await createTestDatabase("grade_models", embeddedAdminUrl());
});
afterAll(async () => {
  await pgdb?.drop();
  await embdb?.drop();
});

describe.each([
  ["PostgreSQL", () => openDatabase({ url: pgdb.url, embeddedDir: "unused" })],
  ["embedded PostgreSQL", () => openDatabase({ url: embdb.url, embeddedDir: "unused" })],
])("the shipped models on %s", (engine, open) => {
  let db: Database;
  let badIds: number[] = [];
  beforeAll(async () => {
    db = await open();
    await migrate(db, {});
  });
  afterAll(async () => {
    await db?.close();
  });

  it("types good records, gives each bad one its reason, and quarantines exactly those", async () => {
    const goodIds = await land(db, 1, GOOD_1);
    badIds = await land(
      db,
      1,
      BAD_1.map(([, r]) => r),
    );
    expect(brief((await buildModels(db, plan())).models)).toEqual([
      ["attempt_conflicts", "success", null, "full", null],
      ["stg_attempts", "success", GOOD_1.length + BAD_1.length, "full", null],
      ["lms_grade_quarantine", "success", BAD_1.length, "full", null],
      ["lms_grade_statistics", "success", GOOD_1.length, "full", null],
      ["daily_stats", "success", 2, "full", null],
      ["daily_task_stats", "success", 6, "full", null],
      ["daily_task_summary", "success", null, "full", null],
      ["user_first_seen", "success", 3, "full", null],
      ["daily_summary", "success", null, "full", null],
    ]);
    const { rows } = await db.query<{ _raw_id: number; reject_reason: string | null }>(
      "SELECT _raw_id, reject_reason FROM staging.stg_attempts ORDER BY _raw_id",
    );
    expect(rows.map((r) => [Number(r._raw_id), r.reject_reason])).toEqual([
      ...goodIds.map((id) => [id, null]),
      ...badIds.map((id, i) => [id, BAD_1[i]?.[0]]),
    ]);
    const snap = await snapshot(db);
    expect(snap.quarantine.map((q) => [Number(q.raw_id), q.reason, Number(q.load_id)])).toEqual(
      badIds.map((id, i) => [id, BAD_1[i]?.[0], 1]),
    );
    expect(snap.quarantine[5]).toMatchObject({ record: BAD_1[5]?.[1], created_at_text: "not a date" });
    expect(snap.grade).toEqual(expectedGrade(GOOD_1));
  });

  it("merges a later load incrementally: the latest landed version of a key wins, equal to a full refresh", async () => {
    const before = await db.query<{ watermark: number }>(
      "SELECT watermark FROM elt.model_state WHERE model = 'lms_grade_statistics'",
    );
    await land(db, 2, [...GOOD_2, ...BAD_2.map(([, r]) => r)]);
    const built = brief((await buildModels(db, plan())).models);
    expect(built.slice(2, 4)).toEqual([
      ["lms_grade_quarantine", "success", BAD_2.length, "incremental", null],
      ["lms_grade_statistics", "success", GOOD_2.length, "incremental", null],
    ]);
    const after = await db.query<{ watermark: number }>(
      "SELECT watermark FROM elt.model_state WHERE model = 'lms_grade_statistics'",
    );
    expect(Number(after.rows[0]?.watermark)).toBeGreaterThan(Number(before.rows[0]?.watermark));
    const incremental = await snapshot(db);
    const grade = expectedGrade([...GOOD_1, ...GOOD_2]);
    expect(incremental.grade).toEqual(grade);
    expect(
      grade.find((r) => r.user_id === "u1" && r.created_at.toISOString() === "2024-03-01T08:05:00.000Z"),
    ).toMatchObject({
      is_correct: 1,
    });
    // Nothing lost: landed = loaded + quarantined + keys landed again.
    const landed = GOOD_1.length + BAD_1.length + GOOD_2.length + BAD_2.length;
    expect(incremental.grade.length + incremental.quarantine.length + 1).toBe(landed);

    expect(brief((await buildModels(db, plan(), { fullRefresh: true })).models).slice(2, 4)).toEqual([
      ["lms_grade_quarantine", "success", BAD_1.length + BAD_2.length, "full", null],
      ["lms_grade_statistics", "success", grade.length, "full", null],
    ]);
    expect(await snapshot(db)).toEqual(incremental);
    results.set(engine, incremental);
  });

  it("aggregates by UTC day as an independent computation does", async () => {
    const snap = await snapshot(db);
    expect(snap.daily).toEqual(expectedDaily(snap.grade));
    expect(snap.task).toEqual(expectedTaskDaily(snap.grade));
    // The fixture covers the interesting cases: a day without submits would have NULL rates.
    expect(snap.daily.map((d) => d.day)).toEqual(["2024-03-01", "2024-03-02", "2024-03-03"]);
    expect(snap.daily[2]).toMatchObject({ submits: 0, success_rate: null, first_submit_success_rate: null });
  });

  it("passes its data tests, singular tests included", async () => {
    const tests = await runDataTests(db, plan());
    expect(
      tests.filter((t) => t.status !== "pass").map((t) => [t.name, t.status, t.failures, t.error]),
    ).toEqual([]);
    expect(tests.map((t) => t.name)).toEqual(expect.arrayContaining(["latest_load_accounted"]));
  });

  it("types a batch with the passback parser inlined into the staging query", async () => {
    const staging = plan().allModels.get("stg_attempts");
    if (!staging) throw new Error("no stg_attempts");
    const { rows } = await db.query<{ "QUERY PLAN": string }>(
      `EXPLAIN (VERBOSE, COSTS OFF) ${staging.incrementalSql}`,
    );
    const text = rows.map((r) => r["QUERY PLAN"]).join("\n");
    expect(text).not.toContain("py_literal_to_jsonb");
    expect(text).toContain("jsonb_object(ARRAY[split_part(");
  });

  it("reads created_at only when it is a real time, never raising on other text", async () => {
    const texts = [
      "2024-02-29 10:00:00",
      "2023-02-29 10:00:00",
      "2024-04-31 00:00:00",
      "2024-12-31T23:59:59.999999",
      "2024-01-01 24:00:00",
      "2024-01-01 10:00:00.1234567",
      "2024-01-01 10:00:00+03",
      "2024-1-1 10:00:00",
      "",
      "0000-01-01 00:00:00",
    ];
    const { rows } = await db.query<{ t: Date | null }>(
      "SELECT elt.parse_api_timestamp(x) AS t FROM unnest($1::text[]) WITH ORDINALITY AS u (x, o) ORDER BY o",
      [texts],
    );
    expect(rows.map((r) => r.t)).toEqual([
      new Date("2024-02-29T10:00:00Z"),
      null,
      null,
      new Date("2024-12-31T23:59:59.999Z"),
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it("builds nothing new when nothing new landed", async () => {
    const built = brief((await buildModels(db, plan())).models);
    expect(built.slice(2, 4)).toEqual([
      ["lms_grade_quarantine", "success", 0, "incremental", null],
      ["lms_grade_statistics", "success", 0, "incremental", null],
    ]);
  });
  it("keeps the daily tables incremental through late records and keys landed again, equal to a full refresh", async () => {
    const good: Rec[] = [...GOOD_1, ...GOOD_2];
    const daily = [
      "daily_stats",
      "daily_task_stats",
      "user_first_seen",
      "daily_summary",
      "daily_task_summary",
    ];
    const check = async () => {
      const snap = await snapshot(db);
      expect(snap.grade).toEqual(expectedGrade(good));
      expect(snap.daily).toEqual(expectedDaily(snap.grade));
      expect(snap.task).toEqual(expectedTaskDaily(snap.grade));
      return snap;
    };
    const noTask = "{'oauth_consumer_key': ''}";
    const batches: Rec[][] = [
      [
        // u4 was first seen on 03-02: this late record moves their first day to 02-28.
        attempt("u4", "submit", 1, "2024-02-28 12:00:00"),
        // u1's only attempt on 03-03 landed again with another task: 03-03 no longer has DST-3.0.
        attempt("u1", "run", null, "2024-03-03 01:00:00", passback("u1", "PY-2.0")),
        attempt("u5", "run", null, "2024-03-04 23:00:00", noTask),
      ],
      [
        // One key twice in a batch (the later landed wins).
        attempt("u5", "submit", 0, "2024-03-04 23:30:00", noTask),
        attempt("u5", "submit", 1, "2024-03-04 23:30:00", noTask),
        // u3's first submit on 03-02 becomes correct; a late record moves u3's first day to 03-01.
        attempt("u3", "submit", 1, "2024-03-02 00:00:00"),
        attempt("u3", "submit", 1, "2024-03-01 23:59:59"),
        attempt("u6", "run", null, "2024-03-02 05:00:00", passback("u6", "PY-2.0")),
      ],
    ];
    const bad = [attempt("u7", "compile", null, "2024-03-06 10:00:00")];
    let load = 3;
    for (const batch of batches) {
      // A bad record (a new hash each time) touches a day that has no good ones.
      await land(db, load, [...batch, ...bad.map((b) => ({ ...b, load }))]);
      load++;
      good.push(...batch);
      const built = (await buildModels(db, plan())).models;
      expect(built.filter((r) => r.status !== "success")).toEqual([]);
      expect(built.filter((r) => r.materialized === "incremental").map((r) => r.mode)).toEqual(
        built.filter((r) => r.materialized === "incremental").map(() => "incremental"),
      );
      await check();
    }
    const incremental = await check();
    expect(incremental.daily.map((d) => [d.day, d.new_users])).toEqual([
      ["2024-02-28", 1],
      ["2024-03-01", 3],
      ["2024-03-02", 1],
      ["2024-03-03", 0],
      ["2024-03-04", 1],
    ]);
    expect(incremental.task.filter((t) => t.day === "2024-03-03").map((t) => t.lis_result_sourcedid)).toEqual(
      ["course-v1:SkillFactory+PY-2.0:lms.skillfactory.ru-b1:u1"],
    );

    // Built without the grade table, the daily models take only what it has merged: nothing yet.
    const late = [attempt("u8", "run", null, "2024-03-05 10:00:00")];
    await land(db, load++, late);
    await buildModels(db, plan(daily));
    expect((await snapshot(db)).daily).toEqual(incremental.daily);
    good.push(...late);
    await buildModels(db, plan());
    const caughtUp = await check();
    expect(caughtUp.daily.at(-1)).toMatchObject({ day: "2024-03-05", attempts: 1, new_users: 1 });
    const { rows: marks } = await db.query<{ model: string; watermark: number }>(
      "SELECT model, watermark FROM elt.model_state WHERE model = ANY($1) ORDER BY model",
      [["lms_grade_statistics", "daily_stats", "daily_task_stats", "user_first_seen"]],
    );
    expect(new Set(marks.map((m) => Number(m.watermark))).size).toBe(1);

    await buildModels(db, plan(), { fullRefresh: true });
    expect(await snapshot(db)).toEqual(caughtUp);
    const tests = await runDataTests(db, plan());
    expect(tests.filter((t) => t.status !== "pass").map((t) => [t.name, t.failures, t.error])).toEqual([]);
  });
});

describe("both engines", () => {
  it("give the same results", () => {
    const server = results.get("PostgreSQL");
    expect(server).toBeDefined();
    expect(results.get("embedded PostgreSQL")).toEqual(server);
  });
});
