import type { ProjectConfig } from "../config/project-schema.ts";
import { maskSecrets } from "../log/mask.ts";
import { formatDuration } from "../log/timestamp.ts";
import { displayValue } from "./column-format.ts";
import { HISTORY_DAYS, type ReportData, type RunReport, reportDay } from "./run-report.ts";

/** Everything the Handlebars templates see. Values are preformatted text; the templates only lay out. */
export interface EmailView {
  project: string;
  status: RunReport["status"];
  ok: boolean;
  subject: string;
  runId?: number;
  window?: string;
  day: string;
  days: string;
  /** The summary transposed: one row per metric, one column per day. */
  summary: { days: string[]; rows: { label: string; values: string[] }[]; text?: string[] } | undefined;
  counts: { label: string; value: string }[];
  quarantine: { reason: string; count: string }[];
  stages: { name: string; status: string; duration: string; detail?: string; failed: boolean }[];
  failedStages: { name: string; detail?: string }[];
  warnings: string[];
  error?: string;
  logTail: string[];
  chart: {
    title: string;
    max: string;
    bars: { day: string; label: string; value: string; height: number; last: boolean }[];
    /** The same chart as text lines for the plain-text body. */
    text: string[];
  };
  generatedAt: string;
}

/** Pixel height of the tallest bar; the chart fits any mail client's width at 14 bars. */
export const CHART_HEIGHT = 80;

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

const COUNT_LABELS: Record<string, string> = {
  landed: "Records landed",
  loaded: "Loaded",
  quarantined: "Quarantined",
  duplicates: "Duplicates collapsed",
  tests_failed: "Data tests failed",
  tests_warned: "Data tests warned",
  windows: "API windows",
  suspect_windows: "Windows that looked incomplete",
  incomplete_windows: "Windows given up as incomplete",
  rejected: "Elements rejected",
  outside_window: "Records outside their window",
  conflicts: "Conflicting re-sends",
  resent: "Older versions sent again",
  models_failed: "Models failed",
  exports_failed: "Exports failed",
  source_checks_warned: "Source checks warned",
  source_checks_failed: "Source checks failed",
};

export function chartOf(history: ReportData["history"], label = "Attempts"): EmailView["chart"] {
  const max = Math.max(0, ...history.map((h) => h.attempts));
  const width = 30;
  const bars = history.map((h, i) => {
    // A day with attempts always shows at least a sliver; an empty day shows nothing.
    const height =
      max === 0 || h.attempts === 0 ? 0 : Math.max(2, Math.round((h.attempts / max) * CHART_HEIGHT));
    return {
      day: h.day,
      label: `${h.day.slice(8, 10)}.${h.day.slice(5, 7)}`,
      value: integer.format(h.attempts),
      height,
      last: i === history.length - 1,
    };
  });
  const text = history.map((h) => {
    const n = max === 0 ? 0 : Math.round((h.attempts / max) * width);
    return `${h.day}  ${"#".repeat(n).padEnd(width)}  ${integer.format(h.attempts)}`;
  });
  return { title: `${label}, last ${HISTORY_DAYS} days`, max: integer.format(max), bars, text };
}

export function emailView(
  config: ProjectConfig,
  report: RunReport,
  data: ReportData,
  logLines: string[],
): EmailView {
  // A run that failed before it knew its days is reported under the day it ran.
  const day = reportDay(report) ?? new Date().toISOString().slice(0, 10);
  const subject = `${config.exports.email.subject_prefix} ${report.status} ${day}`;
  // The email is written in English (its templates are): the columns' English labels.
  const [dateColumn, ...columns] = data.columns;
  const summary: EmailView["summary"] =
    data.summary.length === 0 || !dateColumn
      ? undefined
      : {
          days: data.summary.map((r) => displayValue(dateColumn, r[dateColumn.name])),
          rows: columns.map((c) => ({
            label: c.label.en,
            values: data.summary.map((r) => displayValue(c, r[c.name])),
          })),
        };
  // The plain-text table, aligned: labels left, one right-aligned column per day.
  if (summary) {
    const labelWidth = Math.max(...summary.rows.map((r) => r.label.length)) + 1;
    const width = Math.max(10, ...summary.rows.flatMap((r) => r.values.map((v) => v.length)));
    const line = (label: string, cells: string[]) =>
      `${label.padEnd(labelWidth)}${cells.map((c) => `  ${c.padStart(width)}`).join("")}`;
    summary.text = [line("", summary.days), ...summary.rows.map((r) => line(r.label, r.values))];
  }
  const counts = Object.entries(report.counts)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => ({ label: COUNT_LABELS[k] ?? k, value: integer.format(v as number) }));
  const stages = report.stages.map((s) => ({
    name: s.name,
    status: s.status,
    duration: formatDuration(s.ms),
    detail: s.detail === undefined ? undefined : maskSecrets(s.detail),
    failed: s.status === "failed",
  }));
  return {
    project: config.name,
    status: report.status,
    ok: report.status === "success",
    subject,
    runId: report.runId,
    window: report.window ? `${utc(report.window.start)} — ${utc(report.window.end)}` : undefined,
    day,
    days: report.days.join(", "),
    summary,
    counts,
    quarantine: data.quarantine.map((q) => ({
      reason: maskSecrets(q.reason),
      count: integer.format(q.count),
    })),
    stages,
    failedStages: stages.filter((s) => s.failed).map((s) => ({ name: s.name, detail: s.detail })),
    warnings: report.warnings.map(maskSecrets),
    error: report.error === undefined ? undefined : maskSecrets(report.error),
    logTail: logLines.map(maskSecrets),
    chart: chartOf(data.history, data.chartLabel || undefined),
    generatedAt: utc(new Date()),
  };
}
