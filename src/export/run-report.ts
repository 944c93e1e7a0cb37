import type { Queryable, Row } from "../db/database.ts";
import { utcTimestampText } from "../db/type-parsers.ts";
import { errorMessage } from "../errors.ts";
import { log } from "../log/logger.ts";
import { SUMMARY_RELATION } from "./read-summary.ts";

/** The relation the report reads its quarantine reasons from (besides the summary). */
export const QUARANTINE_RELATION = "grade.lms_grade_quarantine";

/** What a run (or a standalone `elt export email`) tells the report email. */
export type RunReport = {
  status: "success" | "failed";
  runId?: number;
  window?: { start: Date; end: Date };
  /** The raw.api_attempts seq range the run wrote: the quarantine reasons are those of these records. */
  seqs?: { first: number; last: number };
  /** The days the run touched, 'YYYY-MM-DD', oldest first. */
  days: string[];
  counts: {
    landed?: number;
    loaded?: number;
    quarantined?: number;
    duplicates?: number;
    tests_failed?: number;
  };
  stages: { name: string; status: string; ms: number; detail?: string }[];
  warnings: string[];
  error?: string;
};

export interface ReportData {
  /** grade.daily_summary rows of the report's days, oldest first. */
  summary: Row[];
  /** Attempts of the 14 days ending on the report's last day, every day present (0 when none). */
  history: { day: string; attempts: number }[];
  /** The most frequent quarantine reasons of the run's window (or its days). */
  quarantine: { reason: string; count: number }[];
}

export const HISTORY_DAYS = 14;
const DAY_MS = 86_400_000;

/**
 * The day a report is about: the last day the run's window covers completely (a 02:15 cron run
 * reports yesterday, not the two hours of today it also fetched); else the last day it touched.
 */
export function reportDay(report: RunReport): string | undefined {
  const end = report.window?.end.getTime();
  const complete =
    end === undefined ? [] : report.days.filter((d) => Date.parse(`${d}T00:00:00Z`) + DAY_MS <= end);
  return complete.at(-1) ?? report.days.at(-1);
}

/**
 * A failure email must go out even when the models never built their relations: each part of the
 * report that cannot be read is left empty, with a debug line.
 */
async function tolerant<T>(what: string, empty: T, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    log.debug(`report: no ${what}: ${errorMessage(error)}`);
    return empty;
  }
}

export async function collectReportData(db: Queryable, report: RunReport): Promise<ReportData> {
  const summary = await tolerant("summary", [] as Row[], async () =>
    report.days.length === 0
      ? []
      : (
          await db.query(`SELECT * FROM ${SUMMARY_RELATION} WHERE day = ANY($1::date[]) ORDER BY day`, [
            report.days,
          ])
        ).rows,
  );

  const history = await tolerant("history", [] as ReportData["history"], async () => {
    let last = reportDay(report);
    if (!last) {
      const { rows } = await db.query<{ day: string | null }>(
        `SELECT max(day) AS day FROM ${SUMMARY_RELATION}`,
      );
      last = rows[0]?.day ?? undefined;
    }
    if (!last) return [];
    const { rows } = await db.query<{ day: string; attempts: number | null }>(
      `SELECT day, attempts FROM ${SUMMARY_RELATION}
        WHERE day > $1::date - ${HISTORY_DAYS} AND day <= $1::date ORDER BY day`,
      [last],
    );
    const byDay = new Map(rows.map((r) => [String(r.day), Number(r.attempts ?? 0)]));
    const end = Date.parse(`${last}T00:00:00Z`);
    return Array.from({ length: HISTORY_DAYS }, (_, i) => {
      const day = new Date(end - (HISTORY_DAYS - 1 - i) * DAY_MS).toISOString().slice(0, 10);
      return { day, attempts: byDay.get(day) ?? 0 };
    });
  });

  const quarantine = await tolerant("quarantine reasons", [] as ReportData["quarantine"], async () => {
    // This run's records when it landed some; else those landed for its window; else its days.
    if (report.seqs) {
      const { rows } = await db.query<{ reason: string; count: number }>(
        `SELECT coalesce(q.reason, '(none)') AS reason, count(*)::int AS count
           FROM ${QUARANTINE_RELATION} q JOIN raw.api_attempts a ON a.id = q.raw_id
          WHERE a.seq BETWEEN $1 AND $2
          GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5`,
        [report.seqs.first, report.seqs.last],
      );
      return rows;
    }
    const { rows } = report.window
      ? await db.query<{ reason: string; count: number }>(
          `SELECT coalesce(q.reason, '(none)') AS reason, count(*)::int AS count
             FROM ${QUARANTINE_RELATION} q JOIN raw.api_attempts a ON a.id = q.raw_id
            WHERE a.window_start < $2::timestamp AND a.window_end > $1::timestamp
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5`,
          [utcTimestampText(report.window.start), utcTimestampText(report.window.end)],
        )
      : await db.query<{ reason: string; count: number }>(
          `SELECT coalesce(reason, '(none)') AS reason, count(*)::int AS count
             FROM ${QUARANTINE_RELATION}
            WHERE left(record->>'created_at', 10) = ANY($1::text[])
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5`,
          [report.days],
        );
    return rows;
  });

  return { summary, history, quarantine };
}
