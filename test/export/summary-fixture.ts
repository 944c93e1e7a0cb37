import { join } from "node:path";
import { type ProjectConfig, projectSchema } from "../../src/config/project-schema.ts";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.ts";

/** A grade.daily_summary with the contract's columns (a table stands in for the models' view). */
export const SUMMARY_DDL = `
CREATE TABLE grade.daily_summary (
  day date PRIMARY KEY, attempts bigint, runs bigint, submits bigint, correct_submits bigint,
  success_rate numeric, unique_users bigint, users_with_success bigint, avg_attempts_per_user numeric,
  first_submit_success_rate numeric, peak_hour integer, new_users bigint
);
CREATE TABLE grade.lms_grade_quarantine (
  raw_id bigint, load_id bigint, reason text, record jsonb, created_at_text text,
  landed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS raw.api_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, load_id bigint NOT NULL, record jsonb NOT NULL,
  record_hash text NOT NULL UNIQUE, window_start timestamp, window_end timestamp,
  landed_at timestamptz NOT NULL DEFAULT now()
);`;

export interface SummaryRow {
  day: string;
  attempts: number;
  runs: number;
  submits: number;
  correct_submits: number;
  success_rate: number | null;
  unique_users: number;
  users_with_success: number;
  avg_attempts_per_user: number;
  first_submit_success_rate: number | null;
  peak_hour: number;
  new_users: number;
}

/** A plausible day: the numbers derive from `n` so each day differs. */
export function summaryRow(day: string, n: number): SummaryRow {
  const submits = 400 + n * 10;
  const correct = 150 + n * 3;
  const users = 120 + n;
  return {
    day,
    attempts: 1000 + n * 37,
    runs: 600 + n * 27,
    submits,
    correct_submits: correct,
    success_rate: Number((correct / submits).toFixed(6)),
    unique_users: users,
    users_with_success: 80 + n,
    avg_attempts_per_user: Number(((1000 + n * 37) / users).toFixed(6)),
    first_submit_success_rate: 0.25,
    peak_hour: 14,
    new_users: 5 + n,
  };
}

export async function insertSummary(db: Database, rows: SummaryRow[]): Promise<void> {
  for (const r of rows) {
    const cols = Object.keys(r);
    await db.query(
      `INSERT INTO grade.daily_summary (${cols.join(", ")}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(", ")})
       ON CONFLICT (day) DO UPDATE SET ${cols.map((c) => `${c} = EXCLUDED.${c}`).join(", ")}`,
      cols.map((c) => r[c as keyof SummaryRow]),
    );
  }
}

export interface SummaryDatabase {
  test: TestDatabase;
  db: Database;
  close(): Promise<void>;
}

/** A fresh PostgreSQL database, migrated, with the summary table and quarantine in place. */
export async function summaryDatabase(prefix: string): Promise<SummaryDatabase> {
  const test = await createTestDatabase(prefix);
  const db = await openDatabase({ url: test.url, embeddedDir: "unused" });
  await migrate(db, { dirs: [] });
  await db.query(SUMMARY_DDL);
  return {
    test,
    db,
    async close() {
      await db.close();
      await test.drop();
    },
  };
}

/** The shipped project's model, summary and report SQL settings, by absolute paths. */
export const SHIPPED = {
  models: {
    paths: [join(PACKAGE_ROOT, "models")],
    macro_paths: [join(PACKAGE_ROOT, "macros")],
    test_paths: [join(PACKAGE_ROOT, "tests")],
  },
  summary: { model: "daily_summary", date_column: "day" },
  report: {
    landing_counts: join(PACKAGE_ROOT, "reports/landing_counts.sql"),
    top_reasons: join(PACKAGE_ROOT, "reports/top_reasons.sql"),
    reason_days: join(PACKAGE_ROOT, "reports/reason_days.sql"),
  },
};

/** A validated config from a partial project.yml object, reading the shipped project's models. */
export function config(raw: Record<string, unknown>): ProjectConfig {
  const exports = (raw.exports ?? {}) as Record<string, unknown>;
  return projectSchema.parse({
    models: SHIPPED.models,
    ...raw,
    exports: { summary: SHIPPED.summary, report: SHIPPED.report, ...exports },
  });
}
