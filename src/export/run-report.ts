import format from "pg-format";
import type { Row } from "../db/database.ts";
import { utcTimestampText } from "../db/type-parsers.ts";
import { errorMessage } from "../errors.ts";
import { log } from "../log/logger.ts";
import { exportColumns } from "./export-columns.ts";
import type { ExportContext } from "./export-context.ts";
import { exportPlan } from "./export-plan.ts";
import { type ExportedColumn, type ExportedModel, exportedModel } from "./exported-model.ts";
import { latestSummaryDay, readSummary } from "./read-summary.ts";
import { loadReportSql, runReportSql } from "./report-sql.ts";

/** What a run (or a standalone `elt export email`) tells the report email. */
export type RunReport = {
  status: "success" | "failed";
  runId?: number;
  window?: { start: Date; end: Date };
  /** The raw seq range the run wrote: the report SQL's `:first_seq`, `:last_seq`. */
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
  /** The exported model's rows of the report's days, oldest first. */
  summary: Row[];
  /** Its exported columns, the date column first, with their labels and formats. */
  columns: ExportedColumn[];
  /** The charted column's (the first exported figure's) labels. */
  chartLabel: { ru: string; en: string };
  /** The charted figure of the 14 days ending on the report's last day, every day present (0 when none). */
  history: { day: string; attempts: number }[];
  /** The top reasons exports.report.top_reasons gives for the run (or its days). */
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

/** The email's reasons as the project's SQL gives them (exports.report.top_reasons); none when unset. */
async function topReasons(ctx: ExportContext, report: RunReport): Promise<ReportData["quarantine"]> {
  const file = ctx.config.exports.report.top_reasons;
  if (!file) return [];
  const sql = loadReportSql(exportPlan(ctx), ctx.path(file), "exports.report.top_reasons");
  const rows = await runReportSql(ctx.db, sql, {
    first_seq: report.seqs?.first ?? null,
    last_seq: report.seqs?.last ?? null,
    window_start: report.window ? utcTimestampText(report.window.start) : null,
    window_end: report.window ? utcTimestampText(report.window.end) : null,
    days: report.days,
  });
  return rows.map((r) => ({ reason: String(r.reason ?? "(none)"), count: Number(r.count ?? 0) }));
}

export async function collectReportData(ctx: ExportContext, report: RunReport): Promise<ReportData> {
  const { db } = ctx;
  const model = await tolerant("exported model", undefined as ExportedModel | undefined, async () =>
    exportedModel(ctx),
  );
  const summary = await tolerant("summary", [] as Row[], async () =>
    model ? await readSummary(db, model, report.days) : [],
  );
  const columns = model
    ? exportColumns(model, summary[0] ? Object.keys(summary[0]) : [], ctx.config.exports.sheets.columns)
    : [];
  // The chart follows the first exported figure (the shipped project's: attempts).
  const charted = columns[1];

  const history = await tolerant("history", [] as ReportData["history"], async () => {
    if (!model || !charted) return [];
    const last = reportDay(report) ?? (await latestSummaryDay(db, model));
    if (!last) return [];
    const day = format("%I", model.dateColumn);
    const { rows } = await db.query<{ day: string; value: number | null }>(
      `SELECT ${day} AS day, ${format("%I", charted.name)} AS value FROM ${model.relation}
        WHERE ${day} > $1::date - ${HISTORY_DAYS} AND ${day} <= $1::date ORDER BY 1`,
      [last],
    );
    const byDay = new Map(rows.map((r) => [String(r.day), Number(r.value ?? 0)]));
    const end = Date.parse(`${last}T00:00:00Z`);
    return Array.from({ length: HISTORY_DAYS }, (_, i) => {
      const d = new Date(end - (HISTORY_DAYS - 1 - i) * DAY_MS).toISOString().slice(0, 10);
      return { day: d, attempts: byDay.get(d) ?? 0 };
    });
  });

  const quarantine = await tolerant("top reasons", [] as ReportData["quarantine"], () =>
    topReasons(ctx, report),
  );

  return { summary, columns, chartLabel: charted?.label ?? { ru: "", en: "" }, history, quarantine };
}
