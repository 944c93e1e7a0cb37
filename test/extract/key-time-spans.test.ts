import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { KeyTimeSpans } from "../../src/extract/key-time-spans.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.ts";

const SETTINGS = { keyFields: ["lti_user_id", "created_at"], timeField: "created_at" };

describe("KeyTimeSpans", () => {
  let pgdb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    pgdb = await createTestDatabase("key_time_spans");
    db = await openDatabase({ url: pgdb.url, embeddedDir: "unused" });
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    await pgdb?.drop();
  });

  const load = async (values: {
    inserted: number;
    field?: string | null;
    min?: string | null;
    max?: string | null;
  }) => {
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO elt.loads (window_start, window_end, status, inserted, key_time_field, key_time_min, key_time_max)
       VALUES ('2024-03-01', '2024-03-02', 'landed', $1, $2, $3, $4) RETURNING id`,
      [values.inserted, values.field ?? null, values.min ?? null, values.max ?? null],
    );
    return Number(rows[0]?.id);
  };
  const span = (min: string, max: string) => ({ min, max });

  it("lets records whose times no other load reaches through, and only those", async () => {
    await db.query("TRUNCATE elt.loads RESTART IDENTITY");
    await load({ inserted: 10, field: "created_at", min: "2024-03-01 00:00:00", max: "2024-03-01 23:59:59" });
    await load({ inserted: 5, field: "created_at" }); // stored records, none with a key
    await load({ inserted: 0 }); // failed or all duplicates: stores nothing, so its span does not matter
    const me = await load({ inserted: 0 });
    const spans = await KeyTimeSpans.load(db, me, SETTINGS);
    expect(spans.meets(span("2024-03-02 00:00:00", "2024-03-02 10:00:00"))).toBe(false);
    expect(spans.meets(span("2024-02-28 00:00:00", "2024-03-01 00:00:00"))).toBe(true);
    expect(spans.meets(span("2024-03-01 12:00:00", "2024-03-01 12:00:00"))).toBe(true);
    expect(spans.meets(span("2024-02-01 00:00:00", "2024-04-01 00:00:00"))).toBe(true);
    expect(spans.meets(undefined)).toBe(false);
    // What this landing stored counts too.
    spans.add(span("2024-03-05 00:00:00", "2024-03-05 01:00:00"));
    expect(spans.meets(span("2024-03-05 01:00:00", "2024-03-06 00:00:00"))).toBe(true);
  });

  it("knows nothing where a load's span is of another field, or missing, or the key holds no time", async () => {
    await db.query("TRUNCATE elt.loads RESTART IDENTITY");
    const other = await load({ inserted: 3, field: "ts", min: "1", max: "2" });
    const far = span("2030-01-01 00:00:00", "2030-01-02 00:00:00");
    expect((await KeyTimeSpans.load(db, 999, SETTINGS)).meets(far)).toBe(true);
    await db.query("UPDATE elt.loads SET key_time_field = NULL WHERE id = $1", [other]);
    expect((await KeyTimeSpans.load(db, 999, SETTINGS)).meets(far)).toBe(true);
    await db.query("DELETE FROM elt.loads");
    expect((await KeyTimeSpans.load(db, 999, SETTINGS)).meets(far)).toBe(false);
    expect((await KeyTimeSpans.load(db, 999, { ...SETTINGS, keyFields: ["lti_user_id"] })).meets(far)).toBe(
      true,
    );
  });

  it("migration 0110 gives loads landed before it their span, from raw", async () => {
    await db.query("TRUNCATE elt.loads, raw.api_attempts RESTART IDENTITY");
    const a = await load({ inserted: 3 });
    const b = await load({ inserted: 1 });
    const c = await load({ inserted: 0 });
    const row = (loadId: number, time: string, keyed: boolean) =>
      db.query(
        `INSERT INTO raw.api_attempts (load_id, record, record_hash, key_hash)
         VALUES ($1::bigint, jsonb_build_object('created_at', $2::text), md5($2::text || $1::text),
                 CASE WHEN $3::boolean THEN md5($2::text)::uuid END)`,
        [loadId, time, keyed],
      );
    await row(a, "2024-03-01 10:00:00", true);
    await row(a, "2024-03-01 09:00:00.5", true);
    await row(a, "2023-01-01 00:00:00", false); // no key: not in the span
    await row(a, "2023-02-30 25:61:00", true); // no real time: its key is always looked up instead
    await row(b, "not a time", false);
    await db.query(readFileSync(join(PACKAGE_ROOT, "migrations", "0110_load_key_times.sql"), "utf8"));
    const { rows } = await db.query(
      "SELECT id::int, key_time_field AS field, key_time_min AS min, key_time_max AS max FROM elt.loads ORDER BY id",
    );
    expect(rows).toEqual([
      { id: a, field: "created_at", min: "2024-03-01 09:00:00.5", max: "2024-03-01 10:00:00" },
      { id: b, field: "created_at", min: null, max: null },
      { id: c, field: null, min: null, max: null },
    ]);
  });
});
