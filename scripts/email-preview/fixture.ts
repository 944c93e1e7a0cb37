/**
 * A plausible project for looking at the emails without a database: 40 days of daily figures for
 * the shipped project's exported model (a weekly rhythm, weekends quieter), a quarantine whose
 * `missing_oauth_consumer_key` jumps on the report day, and the three runs a reader gets: the nightly
 * one (02:15, so the current day is partial), a 30-day backfill and a failure.
 */
import type { Row } from "../../src/db/database.ts";
import { addDays } from "../../src/export/add-days.ts";
import type { ReasonDay } from "../../src/export/quarantine-spikes.ts";
import type { ReportData, RunReport } from "../../src/export/run-report.ts";
import { notice } from "../../src/pipeline/notice.ts";

/** The report day (the example date) and the partial day after it. */
export const REPORT_DAY = "2026-12-02";
export const PARTIAL_DAY = addDays(REPORT_DAY, 1);
const DAYS = 40;

/** The day `i` days before the report day's figures: deterministic, each day different. */
export function fixtureRow(day: string): Row {
  const i = Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse("2026-01-01T00:00:00Z")) / 86_400_000);
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  const quiet = weekday === 0 || weekday === 6 ? 0.45 : 1;
  const wobble = 1 + 0.08 * Math.sin(i * 1.7);
  const submits = Math.round(980 * quiet * wobble);
  const runs = Math.round(1460 * quiet * wobble);
  const correct = Math.round(submits * (0.43 + 0.02 * Math.cos(i)));
  const users = Math.round(410 * quiet * (1 + 0.05 * Math.cos(i * 0.9)));
  const submitUsers = Math.round(users * 0.8);
  return {
    day,
    attempts: submits + runs,
    runs,
    submits,
    correct_submits: correct,
    success_rate: (correct / submits).toFixed(4),
    unique_users: users,
    users_with_success: Math.round(users * 0.55),
    avg_attempts_per_user: ((submits + runs) / users).toFixed(2),
    first_submit_success_rate: ((submitUsers * 0.31) / submitUsers).toFixed(4),
    peak_hour: weekday === 0 || weekday === 6 ? 15 : 11,
    new_users: Math.round(12 * quiet + (i % 5)),
  };
}

/** Every fixture day up to and including `last`, oldest first. */
export function fixtureDays(last = REPORT_DAY, n = DAYS): string[] {
  return Array.from({ length: n }, (_, i) => addDays(last, i - n + 1));
}

/** The quarantine per day: a few records a day, and a jump of one reason on the report day. */
export function fixtureReasonDays(day = REPORT_DAY): ReasonDay[] {
  return fixtureDays(day, 8).flatMap((d) => {
    const total = Number(fixtureRow(d).attempts);
    const spike = d === day;
    return [
      { day: d, reason: "bad_created_at", count: 1, total },
      { day: d, reason: "missing_oauth_consumer_key", count: spike ? 182 : 3, total },
    ];
  });
}

const window = (start: string, end: string) => ({ start: new Date(start), end: new Date(end) });

const stagesOk: RunReport["stages"] = [
  { name: "compile models", status: "success", ms: 310 },
  {
    name: "extract",
    status: "success",
    ms: 4210,
    detail: "2631 records in 2 windows, 2598 new, 33 already landed",
    note: { code: "extract", values: { records: 2631, windows: 2, inserted: 2598, duplicates: 33 } },
  },
  {
    name: "source checks",
    status: "success",
    ms: 290,
    detail: "4 checks: 4 pass",
    note: { code: "source_checks", values: { checks: 4, warned: 0, failed: 0 } },
  },
  {
    name: "model build",
    status: "success",
    ms: 1850,
    detail: "9/9 models built, 41/41 audits passed, published",
    note: { code: "model_build", values: { built: 9, models: 9, passed: 41, audits: 41 } },
  },
  {
    name: "sheets export",
    status: "success",
    ms: 1240,
    detail: "2 rows to spreadsheet 1AbC, worksheet daily_summary",
    note: { code: "sheets", values: { rows: 2, target: 'spreadsheet 1AbC, worksheet "daily_summary"' } },
  },
];

const dataTestWarning = notice(
  "data_test",
  "audit accepted_values_lms_grade_quarantine_reason on lms_grade_quarantine: 3 failing rows",
  {
    test: "accepted_values_lms_grade_quarantine_reason",
    model: "lms_grade_quarantine",
    rows: 3,
    command: "elt test --select lms_grade_quarantine",
  },
);

/** The three reports: nightly (the current day partial), a 30-day backfill, a failed run. */
export const FIXTURE_REPORTS: Record<"daily" | "backfill" | "failure", RunReport> = {
  daily: {
    status: "success",
    runId: 1287,
    window: window(`${REPORT_DAY}T00:15:00Z`, `${PARTIAL_DAY}T02:15:00Z`),
    days: [REPORT_DAY, PARTIAL_DAY],
    counts: { landed: 2631, loaded: 2412, quarantined: 186, duplicates: 33 },
    stages: stagesOk,
    warnings: [dataTestWarning],
  },
  backfill: {
    status: "success",
    runId: 1288,
    window: window(`${addDays(REPORT_DAY, -29)}T00:00:00Z`, `${PARTIAL_DAY}T02:15:00Z`),
    days: fixtureDays(PARTIAL_DAY, 31),
    counts: { landed: 58213, loaded: 57790, quarantined: 271, duplicates: 152 },
    stages: stagesOk,
    warnings: [
      notice(
        "window_suspect",
        "window [2026-11-14 00:00, 2026-11-15 00:00) looks incomplete (0 records for 24 h, usually about 2,431); its records landed and the next runs fetch it again",
        {
          window: "[2026-11-14 00:00, 2026-11-15 00:00)",
          from: new Date("2026-11-14T00:00:00Z"),
          to: new Date("2026-11-15T00:00:00Z"),
        },
        "0 records for 24 h, usually about 2,431 (below 60%)",
      ),
    ],
  },
  failure: {
    status: "failed",
    runId: 1289,
    window: window(`${REPORT_DAY}T00:15:00Z`, `${PARTIAL_DAY}T02:15:00Z`),
    days: [REPORT_DAY, PARTIAL_DAY],
    counts: { landed: 2631, windows: 2 },
    stages: [
      stagesOk[0] as RunReport["stages"][number],
      stagesOk[1] as RunReport["stages"][number],
      {
        name: "model build",
        status: "failed",
        ms: 1630,
        // As the pipeline records a build whose error audit failed: its summary, then marked failed.
        detail: "9/9 models built, 40/41 audits passed, nothing published",
        note: { code: "model_build_held", values: { built: 9, models: 9, passed: 40, audits: 41 } },
      },
      {
        name: "sheets export",
        status: "skipped",
        ms: 0,
        detail: "nothing published",
        note: { code: "held" },
      },
    ],
    warnings: [
      notice(
        "freshness",
        "source check freshness on raw.api_attempts: stale: newest created_at landed is 2026-12-02 13:04:11, 13.2 h old (over 12 h)",
        { source: "raw.api_attempts", hours: 13.2, limit: 12 },
        "stale: newest created_at landed is 2026-12-02 13:04:11, 13.2 h old (over 12 h)",
      ),
    ],
    error:
      'model build: nothing published (every model\'s relation keeps its last good state; raw stays landed):\naudit unique_lms_grade_statistics_attempt_id on grade.lms_grade_statistics failed (2 rows): [{"raw_id":90211,"attempt_id":"a-77121"}, {"raw_id":90388,"attempt_id":"a-77121"}]',
  },
};

/** What collectReportData would read for `report` from a database holding the fixture's days. */
export function fixtureData(report: RunReport, columns: ReportData["columns"]): ReportData {
  const all = new Map(fixtureDays(PARTIAL_DAY, DAYS + 1).map((d) => [d, fixtureRow(d)]));
  const recent = fixtureDays(REPORT_DAY, 14).map((d) => all.get(d) as Row);
  return {
    day: REPORT_DAY,
    summary: report.days.map((d) => all.get(d)).filter((r): r is Row => r !== undefined),
    recent,
    columns,
    quarantine: [
      { reason: "missing_oauth_consumer_key", count: 182 },
      { reason: "bad_created_at", count: 4 },
    ],
    reasonDays: fixtureReasonDays(),
  };
}
