import format from "pg-format";
import type { Row } from "../db/database.ts";
import { utcTimestampText } from "../db/type-parsers.ts";
import { errorMessage } from "../errors.ts";
import { log } from "../log/logger.ts";
import type { RunWarning } from "../pipeline/notice.ts";
import type { RunCounts, StageRecord } from "../pipeline/run-ledger.ts";
import { addDays } from "./add-days.ts";
import { exportColumns } from "./export-columns.ts";
import type { ExportContext } from "./export-context.ts";
import { exportPlan } from "./export-plan.ts";
import { type ExportedColumn, type ExportedModel, exportedModel } from "./exported-model.ts";
import { BASELINE_DAYS } from "./headline.ts";
import type { ReasonDay } from "./quarantine-spikes.ts";
import { latestSummaryDay, readSummary } from "./read-summary.ts";
import { reportDay } from "./report-days.ts";
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
  /** The run's counts, each labelled in the email by the messages file's `counts`. */
  counts: RunCounts;
  stages: Pick<StageRecord, "name" | "status" | "ms" | "detail" | "note">[];
  warnings: RunWarning[];
  error?: string;
};

export interface ReportData {
  /** The day the report is about: the run's (reportDay), else the exported model's latest. */
  day?: string;
  /** The exported model's rows of the report's days, oldest first. */
  summary: Row[];
  /** Its rows of the HISTORY_DAYS days ending on the report day: the chart and the comparisons. */
  recent: Row[];
  /** Its exported columns, the date column first, with their labels and formats. */
  columns: ExportedColumn[];
  /** The top reasons exports.report.top_reasons gives for the run (or its days). */
  quarantine: { reason: string; count: number }[];
  /** Reasons per day of the report day and the BASELINE_DAYS before (exports.report.reason_days). */
  reasonDays: ReasonDay[];
}

/** Days in the chart, ending on the report day. */
export const HISTORY_DAYS = 14;

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

/** The quarantine's reasons per day around the report day (exports.report.reason_days); none when unset. */
async function reasonDays(ctx: ExportContext, day: string): Promise<ReasonDay[]> {
  const file = ctx.config.exports.report.reason_days;
  if (!file) return [];
  const sql = loadReportSql(exportPlan(ctx), ctx.path(file), "exports.report.reason_days");
  const rows = await runReportSql(ctx.db, sql, { from: addDays(day, -BASELINE_DAYS), to: day });
  return rows.map((r) => ({
    day: String(r.day).slice(0, 10),
    reason: r.reason === null || r.reason === undefined ? null : String(r.reason),
    count: Number(r.count ?? 0),
    total: Number(r.total ?? 0),
  }));
}

export async function collectReportData(ctx: ExportContext, report: RunReport): Promise<ReportData> {
  const { db } = ctx;
  const model = await tolerant("exported model", undefined as ExportedModel | undefined, async () =>
    exportedModel(ctx),
  );
  const summary = await tolerant("summary", [] as Row[], async () =>
    model ? await readSummary(db, model, report.days) : [],
  );
  // A run that failed before it knew its days has none: its email goes under the day it ran.
  const day =
    reportDay(report) ??
    (report.status === "failed"
      ? undefined
      : await tolerant("latest day", undefined as string | undefined, async () =>
          model ? await latestSummaryDay(db, model) : undefined,
        ));
  const recent = await tolerant("recent days", [] as Row[], async () => {
    if (!model || !day) return [];
    const column = format("%I", model.dateColumn);
    const { rows } = await db.query(
      `SELECT * FROM ${model.relation} WHERE ${column} > $1::date - ${HISTORY_DAYS} AND ${column} <= $1::date
        ORDER BY ${column}`,
      [day],
    );
    return rows;
  });
  const sample = summary[0] ?? recent[0];
  const columns = model
    ? exportColumns(model, sample ? Object.keys(sample) : [], ctx.config.exports.sheets.columns)
    : [];

  const quarantine = await tolerant("top reasons", [] as ReportData["quarantine"], () =>
    topReasons(ctx, report),
  );
  const reasons = await tolerant("reasons per day", [] as ReasonDay[], async () =>
    day ? await reasonDays(ctx, day) : [],
  );
  return { ...(day ? { day } : {}), summary, recent, columns, quarantine, reasonDays: reasons };
}
