import { afterAll, beforeAll, expect, it } from "vitest";
import { loadProject } from "../../src/config/load-project.ts";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import { buildModels } from "../../src/transform/build-models.ts";
import { planProject } from "../../src/transform/plan-project.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.ts";

// A night without a single bad record must still move the quarantine's watermark (watermark_source),
// or every later build would parse those records again: cost growing with history.

let pgdb: TestDatabase;
let db: Database;

const good = (user: string, at: string) => ({
  lti_user_id: user,
  passback_params:
    "{'oauth_consumer_key': '', 'lis_result_sourcedid': 'task', 'lis_outcome_service_url': 'u'}",
  is_correct: null,
  attempt_type: "run",
  created_at: at,
});

async function land(records: unknown[]): Promise<void> {
  await db.query(
    `INSERT INTO raw.api_attempts (load_id, record, record_hash)
     SELECT 1, r, md5(r::text) FROM jsonb_array_elements($1::jsonb) AS e (r)`,
    [JSON.stringify(records)],
  );
}

const watermarks = async () =>
  Object.fromEntries(
    (
      await db.query<{ model: string; watermark: number }>("SELECT model, watermark FROM elt.model_state")
    ).rows.map((r) => [r.model, Number(r.watermark)]),
  );
const maxRawId = async () =>
  Number((await db.query<{ m: number }>("SELECT max(id) AS m FROM raw.api_attempts")).rows[0]?.m);

beforeAll(async () => {
  pgdb = await createTestDatabase("watermark_source");
  db = await openDatabase({ url: pgdb.url, embeddedDir: "unused" });
  await migrate(db, {});
});
afterAll(async () => {
  await db?.close();
  await pgdb?.drop();
});

it("the quarantine and grade watermarks reach the last raw id even when they kept none of the new rows", async () => {
  const { config } = loadProject(PACKAGE_ROOT, { env: {} });
  const plan = planProject({ projectDir: PACKAGE_ROOT, config });
  await land([good("u1", "2024-03-01 10:00:00"), good("u2", "2024-03-01 11:00:00")]);
  expect((await buildModels(db, plan)).models.every((r) => r.status === "success")).toBe(true);
  expect(await watermarks()).toMatchObject({ lms_grade_quarantine: await maxRawId() });

  await land([good("u3", "2024-03-02 10:00:00")]);
  const built = (await buildModels(db, plan)).models;
  expect(built.find((r) => r.name === "lms_grade_quarantine")).toMatchObject({ status: "success", rows: 0 });
  const last = await maxRawId();
  expect(await watermarks()).toMatchObject({ lms_grade_quarantine: last, lms_grade_statistics: last });

  // Only bad records: the grade table keeps none, its watermark still moves.
  await land([{ lti_user_id: "", created_at: "2024-03-02 12:00:00" }]);
  await buildModels(db, plan);
  expect((await watermarks()).lms_grade_statistics).toBe(await maxRawId());
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM grade.lms_grade_statistics");
  expect(rows[0]?.n).toBe(3);
});
