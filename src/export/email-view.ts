import type { ProjectConfig } from "../config/project-schema.ts";
import { maskSecrets } from "../log/mask.ts";
import { formatDuration } from "../log/timestamp.ts";
import { displayValue } from "./column-format.ts";
import { formatDay, formatInteger, formatMoment, formatShortDay, type Locale } from "./locale.ts";
import type { Messages } from "./messages.ts";
import { HISTORY_DAYS, type ReportData, type RunReport, reportDay } from "./run-report.ts";

/** Everything the Handlebars templates see. Values are preformatted text; the templates only lay out. */
export interface EmailView {
  /** The project's locale ("ru" or "en"), for `<html lang>`. */
  lang: Locale;
  /** The headings and sentences in the locale (templates/messages/<locale>.yml), filled in. */
  t: Record<string, string>;
  project: string;
  /** The status in the locale's words. */
  status: string;
  ok: boolean;
  subject: string;
  runId?: number;
  window?: string;
  day: string;
  days: string;
  /** The summary transposed: one row per metric, one column per day. */
  summary:
    | {
        days: string[];
        rows: { label: string; values: string[] }[];
        /**
         * The last RECENT_DAYS days in tables of at most TABLE_DAYS day columns (the report day's in
         * the last), so each fits a phone's width; `older` counts the days left to the chart and sheet.
         */
        groups?: { days: string[]; rows: { label: string; values: string[] }[]; last: boolean }[];
        older?: string;
        /** The plain-text tables, each line within 78 characters. */
        text?: string[];
      }
    | undefined;
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
    /** A line under the HTML chart: the tallest bar's and the last day's values (bars carry no numbers). */
    max_text: string;
    bars: { day: string; label: string; value: string; height: number; last: boolean }[];
    /** The same chart as text lines for the plain-text body. */
    text: string[];
  };
  generatedAt: string;
}

/** The email's summary shows at most this many recent days; the sheet has every day. */
export const RECENT_DAYS = 6;
/** Day columns per summary table: a label and three dated columns fit a 400 px phone. */
export const TABLE_DAYS = 3;
const TEXT_WIDTH = 78;

/** Chunks of at most `size`, counted from the end so the last (the report day's) is full. */
function chunksFromEnd<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let end = items.length; end > 0; end -= size) out.unshift(items.slice(Math.max(0, end - size), end));
  return out;
}

/** Pixel height of the tallest bar; the chart fits any mail client's width at 14 bars. */
export const CHART_HEIGHT = 80;

export function chartOf(
  history: ReportData["history"],
  label: string,
  locale: Locale,
  messages: Messages,
): EmailView["chart"] {
  const integer = { format: (n: number) => formatInteger(n, locale) };
  const max = Math.max(0, ...history.map((h) => h.attempts));
  const width = 30;
  const bars = history.map((h, i) => {
    // A day with attempts always shows at least a sliver; an empty day shows nothing.
    const height =
      max === 0 || h.attempts === 0 ? 0 : Math.max(2, Math.round((h.attempts / max) * CHART_HEIGHT));
    return {
      day: h.day,
      label: formatShortDay(h.day, locale),
      value: integer.format(h.attempts),
      height,
      last: i === history.length - 1,
    };
  });
  const text = history.map((h) => {
    const n = max === 0 ? 0 : Math.round((h.attempts / max) * width);
    return `${formatShortDay(h.day, locale).padEnd(6)}  ${"#".repeat(n).padEnd(width)}  ${integer.format(h.attempts)}`;
  });
  const title = messages.text("chart_title", { label, n: HISTORY_DAYS });
  const last = bars.at(-1);
  const max_text = last
    ? messages.text("chart_note", { max: integer.format(max), day: last.label, value: last.value })
    : "";
  return { title, max: integer.format(max), max_text, bars, text };
}

export function emailView(
  config: ProjectConfig,
  report: RunReport,
  data: ReportData,
  logLines: string[],
  messages: Messages,
): EmailView {
  const locale = config.locale;
  const integer = { format: (n: number) => formatInteger(n, locale) };
  const m = messages;
  // A run that failed before it knew its days is reported under the day it ran.
  const isoDay = reportDay(report) ?? new Date().toISOString().slice(0, 10);
  const day = formatDay(isoDay, locale);
  const status = m.entry("status", report.status) ?? report.status;
  const subject = m.text("subject", { prefix: config.exports.email.subject_prefix, status, day }).trim();
  // One locale for the whole email: the columns' labels in it.
  const [dateColumn, ...columns] = data.columns;
  const summary: EmailView["summary"] =
    data.summary.length === 0 || !dateColumn
      ? undefined
      : {
          days: data.summary.map((r) => displayValue(dateColumn, r[dateColumn.name], locale)),
          rows: columns.map((c) => ({
            label: c.label[locale],
            values: data.summary.map((r) => displayValue(c, r[c.name], locale)),
          })),
        };
  if (summary) {
    const from = Math.max(0, summary.days.length - RECENT_DAYS);
    const indexes = chunksFromEnd(summary.days.map((_, i) => i).slice(from), TABLE_DAYS);
    summary.groups = indexes.map((ix, g) => ({
      last: g === indexes.length - 1,
      days: ix.map((i) => summary.days[i] as string),
      rows: summary.rows.map((r) => ({ label: r.label, values: ix.map((i) => r.values[i] as string) })),
    }));
    if (from > 0) summary.older = m.text("older_days", { n: from });
    // The plain-text tables, aligned: labels left, right-aligned day columns, as many as fit 78.
    const labelWidth = Math.min(30, Math.max(...summary.rows.map((r) => r.label.length))) + 1;
    const width = Math.max(
      10,
      ...summary.days.slice(from).map((d) => d.length),
      ...summary.rows.flatMap((r) => r.values.slice(from).map((v) => v.length)),
    );
    const perLine = Math.max(1, Math.floor((TEXT_WIDTH - 2 - labelWidth) / (width + 2)));
    const line = (label: string, cells: string[]) =>
      `${label.length >= labelWidth ? `${label.slice(0, labelWidth - 2)}…` : label.padEnd(labelWidth)}${cells.map((c) => `  ${c.padStart(width)}`).join("")}`;
    summary.text = [];
    for (const ix of chunksFromEnd(summary.days.map((_, i) => i).slice(from), perLine)) {
      if (summary.text.length > 0) summary.text.push("");
      summary.text.push(
        line(
          "",
          ix.map((i) => summary.days[i] as string),
        ),
      );
      for (const r of summary.rows)
        summary.text.push(
          line(
            r.label,
            ix.map((i) => r.values[i] as string),
          ),
        );
    }
    if (summary.older) summary.text.push("", summary.older);
  }
  const counts = Object.entries(report.counts)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => ({ label: m.entry("counts", k) ?? k, value: integer.format(v as number) }));
  const stages = report.stages.map((s) => ({
    name: m.entry("stages", s.name) ?? s.name,
    status: m.entry("status", s.status) ?? s.status,
    duration: formatDuration(s.ms),
    detail: s.detail === undefined ? undefined : maskSecrets(s.detail),
    failed: s.status === "failed",
  }));
  const window = report.window
    ? `${formatMoment(report.window.start, locale)} — ${formatMoment(report.window.end, locale)}`
    : undefined;
  const days = report.days.map((d) => formatDay(d, locale)).join(", ");
  const generatedAt = formatMoment(new Date(), locale);
  const run = report.runId;
  const t: Record<string, string> = {
    report_title: m.text("report_title", { project: config.name, day }),
    failure_title:
      report.days.length > 0 || report.window
        ? m.text("failure_title", { project: config.name, day })
        : m.text("failure_title_no_day", { project: config.name }),
    run: run === undefined ? "" : m.text("run", { run }),
    window: window === undefined ? "" : m.text("window", { window }),
    no_data: m.text("no_data", { days: days || m.text("no_data_days") }),
    sent_at: m.text("sent_at", { at: generatedAt }),
    see_run: run === undefined ? "" : m.text("see_run", { run }),
    rerun: run === undefined ? m.text("rerun") : m.text("rerun_run", { run }),
  };
  for (const k of [
    "summary",
    "metric",
    "records",
    "top_reasons",
    "stages_heading",
    "warnings",
    "what_failed",
    "error",
    "log_tail",
  ]) {
    t[k] = m.text(k);
  }
  return {
    lang: locale,
    t,
    project: config.name,
    status,
    ok: report.status === "success",
    subject,
    runId: report.runId,
    window,
    day,
    days,
    summary,
    counts,
    quarantine: data.quarantine.map((q) => ({
      reason: maskSecrets(m.entry("reasons", q.reason) ?? q.reason),
      count: integer.format(q.count),
    })),
    stages,
    failedStages: stages.filter((s) => s.failed).map((s) => ({ name: s.name, detail: s.detail })),
    warnings: report.warnings.map(maskSecrets),
    error: report.error === undefined ? undefined : maskSecrets(report.error),
    logTail: logLines.map(maskSecrets),
    chart: chartOf(data.history, data.chartLabel[locale] || m.text("metric"), locale, m),
    generatedAt,
  };
}
