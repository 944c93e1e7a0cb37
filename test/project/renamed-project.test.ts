// The engine knows no project (issue 13): an analyst renames the quarantine model and adds a column
// with its label and format to the exported model, in project files only. The whole `elt run`
// (simulator, fake Google Sheets, local SMTP) then counts the run through the renamed model and shows
// the new column in the sheet (its ru label) and the email (its en label), with no TypeScript change.
import { cpSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { withProject } from "../../src/cli/project-context.ts";
import { loadReportSql, runReportSql } from "../../src/export/report-sql.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import { runPipeline } from "../../src/pipeline/run-pipeline.ts";
import { type Simulator, startSimulator } from "../../src/simulator/start-simulator.ts";
import { planProject } from "../../src/transform/plan-project.ts";
import { type FakeSheets, startFakeSheets } from "../helpers/fake-sheets.ts";
import { createTestDatabase, queryRows, type TestDatabase } from "../helpers/pg.ts";
import { tempProject } from "../helpers/project.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";

let sim: Simulator;
let smtp: TestSmtp;
let sheets: FakeSheets;
let db: TestDatabase;
let dir: string;

/** Replaces every occurrence of `from` by `to` in the project's files under `folders`. */
function replaceIn(files: string[], from: string, to: string): void {
  for (const f of files) {
    const path = join(dir, f);
    writeFileSync(path, readFileSync(path, "utf8").replaceAll(from, to));
  }
}

beforeAll(async () => {
  [sim, smtp, sheets] = await Promise.all([
    startSimulator({ seed: 31, perDay: 300 }),
    startSmtp(),
    startFakeSheets(),
  ]);
  db = await createTestDatabase("renamed");
  dir = tempProject({
    "project.yml": `
database: {url: "${db.url}"}
api: {url: "${sim.url}", client: demo, client_key: demo-key, retries: 0}
logs: {level: error}
models: {paths: [models], test_paths: [tests], macro_paths: [macros]}
exports:
  summary: {model: daily_summary, date_column: day}
  report:
    landing_counts: reports/landing_counts.sql
    top_reasons: reports/top_reasons.sql
    reason_days: reports/reason_days.sql
  retries: 0
  sheets:
    credentials: ${sheets.credentialsFile}
    spreadsheet_id: ${sheets.spreadsheetId}
    root_url: ${sheets.url}
    worksheet: renamed
  email:
    smtp_url: "${smtp.url}"
    from: elt@example.org
    to: ops@example.org
    templates_dir: ${join(PACKAGE_ROOT, "templates")}
`,
  });
  for (const folder of ["models", "tests", "reports", "macros"])
    cpSync(join(PACKAGE_ROOT, folder), join(dir, folder), { recursive: true });
  // The rename: the model's file and its yml, and every ref to it in the project's SQL.
  renameSync(
    join(dir, "models/grade/lms_grade_quarantine.sql"),
    join(dir, "models/grade/rejected_attempts.sql"),
  );
  renameSync(
    join(dir, "models/grade/lms_grade_quarantine.yml"),
    join(dir, "models/grade/rejected_attempts.yml"),
  );
  replaceIn(["models/grade/rejected_attempts.yml"], "  lms_grade_quarantine:", "  rejected_attempts:");
  replaceIn(
    [
      "models/grade/lms_grade_statistics.sql",
      "tests/latest_load_accounted.sql",
      "reports/landing_counts.sql",
      "reports/top_reasons.sql",
      "reports/reason_days.sql",
    ],
    '"lms_grade_quarantine"',
    '"rejected_attempts"',
  );
  // The new column, with its label and format, in the exported model.
  replaceIn(
    ["models/grade/daily_summary.sql"],
    "  s.runs,\n",
    "  s.runs,\n  round(s.runs::numeric / nullif(s.attempts, 0), 4) AS run_share,\n",
  );
  replaceIn(
    ["models/grade/daily_summary.sql"],
    "columns:\n",
    'columns:\n  run_share: {description: "runs / attempts", label: {ru: Доля запусков, en: Share of runs}, format: percent}\n',
  );
}, 60_000);

afterAll(async () => {
  await Promise.all([sim?.close(), smtp?.close(), sheets?.close()]);
  await db?.drop();
});

it("counts through the renamed model and shows the new column by its labels", async () => {
  const outcome = await withProject({ "project-dir": dir }, {}, (ctx) =>
    runPipeline(ctx, { start: new Date("2024-06-01T00:00:00Z"), end: new Date("2024-06-03T00:00:00Z") }),
  );
  expect(outcome.status).toBe("success");
  const c = outcome.counts;
  expect(c.quarantined).toBeGreaterThan(0);
  expect((c.loaded ?? 0) + (c.quarantined ?? 0) + (c.duplicates ?? 0)).toBe(c.landed);
  expect(
    await queryRows(
      db.url,
      "SELECT to_regclass('grade.rejected_attempts') IS NOT NULL AS renamed, to_regclass('grade.lms_grade_quarantine') IS NULL AS old_gone",
    ),
  ).toEqual([{ renamed: true, old_gone: true }]);

  const sheet = sheets.sheets.get("renamed") ?? [];
  const header = sheet[0] ?? [];
  expect(header).toContain("Доля запусков");
  expect(header).not.toContain("run_share");
  // A percent: the sheet gets the share as a number formatted as a percentage, not 0.4321 as text.
  const column = header.indexOf("Доля запусков");
  const value = sheet[1]?.[column];
  expect(typeof value === "number" ? value : Number.parseFloat(String(value))).toBeGreaterThan(0);

  const mail = smtp.received.at(-1)?.mail;
  // One locale (ru, the default) for the sheet and the email: the same label, a Russian percent.
  expect(mail?.text).toContain("Доля запусков");
  expect(mail?.text).not.toContain("run_share");
  expect(mail?.text).toMatch(/Доля запусков[^\n]*\d+(,\d+)?\s%/);

  // The quarantine spikes' SQL reads the renamed model too: each day's reasons, and its total is
  // the day's attempts in the summary plus its quarantined records.
  const reasons = await withProject({ "project-dir": dir }, {}, async (ctx) => {
    const plan = planProject({ projectDir: dir, config: ctx.config });
    const sql = loadReportSql(plan, join(dir, "reports/reason_days.sql"), "exports.report.reason_days");
    return runReportSql(ctx.db, sql, { from: "2024-06-01", to: "2024-06-02" });
  });
  const first = reasons.filter((r) => r.day === "2024-06-01");
  const quarantined = first.reduce((n, r) => n + Number(r.count), 0);
  expect(quarantined).toBeGreaterThan(0);
  const [summary] = await queryRows<{ attempts: number }>(
    db.url,
    "SELECT attempts::int AS attempts FROM grade.daily_summary WHERE day = '2024-06-01'",
  );
  expect(new Set(first.map((r) => Number(r.total)))).toEqual(
    new Set([(summary?.attempts ?? 0) + quarantined]),
  );
});
