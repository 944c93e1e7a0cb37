import type { ProjectConfig } from "../config/project-schema.ts";
import type { Row } from "../db/database.ts";
import { maskSecrets } from "../log/mask.ts";
import type { RunWarning } from "../pipeline/notice.ts";
import { addDays } from "./add-days.ts";
import { displayValue } from "./column-format.ts";
import type { ExportedColumn } from "./exported-model.ts";
import { type Change, type HeadlineRow, headlineRows } from "./headline.ts";
import {
  formatDay,
  formatDecimal,
  formatInteger,
  formatMoment,
  formatPercent,
  formatShortDay,
  type Locale,
} from "./locale.ts";
import type { Messages, MessageValues } from "./messages.ts";
import { quarantineSpikes } from "./quarantine-spikes.ts";
import { reportDays } from "./report-days.ts";
import { HISTORY_DAYS, type ReportData, type RunReport } from "./run-report.ts";
import { evenChunks, textGrid } from "./text-grid.ts";

/** A summary table's rows: one per figure, one value per day column. */
type TableRows = { label: string; values: string[] }[];

/**
 * Everything the Handlebars templates see. Values are preformatted text; the templates only lay
 * out. Texts from the messages file may hold `` `commands` ``: write them with `{{rich …}}`.
 */
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
  /** The report day in full (02.12.2026 / 2 Dec 2026). */
  day: string;
  days: string;
  /**
   * The report day's figures, each with its change from the day before and from the median of the
   * 7 days before (headline.ts); `text` is the same as aligned lines for the text part.
   */
  headline?: {
    title: string;
    /** Column headings: the report day, the day before, the median. */
    day: string;
    prev: string;
    median: string;
    rows: HeadlineRow[];
    text: string[];
  };
  /** Says the window's last day is left out (or, for the report day itself, incomplete). */
  partial?: string;
  /**
   * The run's last RECENT_DAYS days up to the report day, when it covered more than one: the
   * figures transposed (one row per figure, one column per day), in `groups` of at most
   * TABLE_DAYS day columns so each fits a phone (the report day's last, highlighted); `older` says
   * where the rest are (the chart, the attached CSV).
   */
  summary?: {
    days: string[];
    rows: TableRows;
    groups: { days: string[]; rows: TableRows; last: boolean }[];
    older?: string;
    text: string[];
  };
  /** The attached CSV's file name (the whole window's daily summary), when the table leaves days out. */
  attachment?: string;
  counts: { label: string; value: string }[];
  /** The run's top quarantine reasons: described in the locale, with the code ("" when undescribed). */
  quarantine: { reason: string; code: string; count: string }[];
  stages: { name: string; status: string; duration: string; detail?: string; failed: boolean }[];
  /** The failed stages; a detail only when the error block does not already say it. */
  failedStages: { name: string; detail?: string }[];
  /** Warnings worded in the locale, each with what to do and the engine's technical detail. */
  warnings: { title: string; action: string; detail?: string }[];
  error?: string;
  logTail: string[];
  chart: {
    title: string;
    max: string;
    /** A line under the HTML chart: the tallest bar's and the report day's values (bars carry no numbers). */
    max_text: string;
    /** `lines`: the label split at its spaces (2 / Dec), so every bar's label wraps alike. */
    bars: { day: string; label: string; lines: string[]; value: string; height: number; last: boolean }[];
    /** The same chart as text lines for the plain-text body. */
    text: string[];
  };
  generatedAt: string;
}

/** The email's by-day table shows at most this many days; the chart 14, the attached CSV and the sheet all. */
export const RECENT_DAYS = 6;
/** Day columns per summary table: a label and three dated columns fit a 400 px phone. */
export const TABLE_DAYS = 3;
/** The text part's width (render-email.ts wraps to it too). */
const TEXT_WIDTH = 78;
/** The text part indents its tables by two spaces. */
const TEXT_ROOM = TEXT_WIDTH - 2;

/** Pixel height of the tallest bar; the chart fits any mail client's width at 14 bars. */
export const CHART_HEIGHT = 80;

const dayOf = (row: Row, column: string) => String(row[column]).slice(0, 10);

/** A stage's duration in the locale's units: 310 мс, 4,2 с, 2 мин 05 с. */
function duration(ms: number, locale: Locale, m: Messages): string {
  if (ms < 1000) return m.text("duration.ms", { n: Math.round(ms) });
  if (ms < 60_000) return m.text("duration.s", { n: formatDecimal(ms / 1000, locale, 1) });
  const s = Math.round(ms / 1000);
  return m.text("duration.min", { m: Math.floor(s / 60), s: String(s % 60).padStart(2, "0") });
}

export function chartOf(
  recent: readonly Row[],
  column: ExportedColumn | undefined,
  dateColumn: string,
  day: string | undefined,
  locale: Locale,
  messages: Messages,
): EmailView["chart"] {
  const empty = { title: "", max: "", max_text: "", bars: [], text: [] };
  if (!column || !day) return empty;
  const byDay = new Map(recent.map((r) => [dayOf(r, dateColumn), Number(r[column.name] ?? 0)]));
  // Every day of the fortnight, a day without a row as 0: a gap in the data shows as one.
  const history = Array.from({ length: HISTORY_DAYS }, (_, i) => {
    const d = addDays(day, i - HISTORY_DAYS + 1);
    return { day: d, value: byDay.get(d) ?? 0 };
  });
  const integer = (n: number) => formatInteger(n, locale);
  const max = Math.max(0, ...history.map((h) => h.value));
  const width = 30;
  const bars = history.map((h, i) => ({
    day: formatDay(h.day, locale),
    label: formatShortDay(h.day, locale),
    lines: formatShortDay(h.day, locale).split(/\s+/),
    value: integer(h.value),
    // A day with a value always shows at least a sliver; an empty day shows nothing.
    height: max === 0 || h.value === 0 ? 0 : Math.max(2, Math.round((h.value / max) * CHART_HEIGHT)),
    last: i === history.length - 1,
  }));
  const text = history.map((h, i) => {
    const n = max === 0 ? 0 : Math.round((h.value / max) * width);
    const mark = i === history.length - 1 ? " <" : "";
    return `${formatShortDay(h.day, locale).padEnd(6)}  ${"#".repeat(n).padEnd(width)}  ${integer(h.value)}${mark}`;
  });
  const last = bars.at(-1) as (typeof bars)[number];
  return {
    title: messages.text("chart_title", { label: column.label[locale], n: HISTORY_DAYS }),
    max: integer(max),
    max_text: messages.text("chart_note", { max: integer(max), day: last.label, value: last.value }),
    bars,
    text,
  };
}

const changeText = (c: Change) => (c.rel ? `${c.diff} (${c.rel})` : c.diff);

function headlineOf(
  data: ReportData,
  isoDay: string,
  partial: boolean,
  until: Date | undefined,
  locale: Locale,
  m: Messages,
): EmailView["headline"] {
  const [dateColumn, ...figures] = data.columns;
  if (!dateColumn || figures.length === 0) return undefined;
  if (!data.recent.some((r) => dayOf(r, dateColumn.name) === isoDay)) return undefined;
  const rows = headlineRows(data.columns, data.recent, dateColumn.name, isoDay, locale, m);
  const day = formatDay(isoDay, locale);
  const head = {
    title:
      partial && until
        ? m.text("headline_partial", { day, until: until.toISOString().slice(11, 16) })
        : m.text("headline", { day }),
    day: formatShortDay(isoDay, locale),
    prev: m.text("vs_prev", { day: formatShortDay(addDays(isoDay, -1), locale) }),
    median: m.text("vs_median"),
  };
  const text = textGrid(
    [
      ["", head.day, head.prev, head.median],
      ...rows.map((r) => [r.label, r.value, changeText(r.prev), changeText(r.median)]),
    ],
    TEXT_ROOM,
  );
  return { ...head, rows, text };
}

function summaryOf(
  data: ReportData,
  days: string[],
  older: number,
  attachment: string | undefined,
  locale: Locale,
  m: Messages,
): EmailView["summary"] {
  const [dateColumn, ...figures] = data.columns;
  if (!dateColumn) return undefined;
  const byDay = new Map(data.summary.map((r) => [dayOf(r, dateColumn.name), r]));
  const labels = days.map((d) => formatShortDay(d, locale));
  const rows = figures.map((c) => ({
    label: c.label[locale],
    values: days.map((d) => displayValue(c, byDay.get(d)?.[c.name], locale)),
  }));
  const pick = (ix: number[]) => ({
    days: ix.map((i) => labels[i] as string),
    rows: rows.map((r) => ({ label: r.label, values: ix.map((i) => r.values[i] as string) })),
  });
  const all = days.map((_, i) => i);
  const chunks = evenChunks(all, TABLE_DAYS);
  const groups = chunks.map((ix, g) => ({ ...pick(ix), last: g === chunks.length - 1 }));
  // The text part fits as many day columns per line as 78 characters allow, evenly split.
  const labelWidth = Math.min(28, Math.max(...rows.map((r) => r.label.length)));
  const cell = Math.max(
    ...labels.map((l) => l.length),
    ...rows.flatMap((r) => r.values.map((v) => v.length)),
  );
  const perLine = Math.max(1, Math.floor((TEXT_ROOM - labelWidth) / (cell + 2)));
  const text: string[] = [];
  for (const ix of evenChunks(all, perLine)) {
    const part = pick(ix);
    if (text.length > 0) text.push("");
    text.push(...textGrid([["", ...part.days], ...part.rows.map((r) => [r.label, ...r.values])], TEXT_ROOM));
  }
  const note =
    older > 0
      ? m.text(attachment ? "older_days_attached" : "older_days", {
          n: older,
          shown: days.length,
          total: days.length + older,
          file: attachment ?? "",
        })
      : undefined;
  if (note) text.push("", note);
  return { days: labels, rows, groups, ...(note ? { older: note } : {}), text };
}

/** A warning worded from its code (`warnings.<code>.title` / `.do`), else its log text. */
function warningOf(w: RunWarning, runId: string | undefined, m: Messages): EmailView["warnings"][number] {
  const values: Record<string, string | number | Date> = { ...w.values };
  if (typeof values.stage === "string") values.stage = m.entry("stages", values.stage) ?? values.stage;
  if (runId !== undefined) values.run = runId;
  const known = m.has(`warnings.${w.code}.title`);
  return {
    title: maskSecrets(known ? m.text(`warnings.${w.code}.title`, values) : w.text),
    action:
      known && m.has(`warnings.${w.code}.do`) ? maskSecrets(m.text(`warnings.${w.code}.do`, values)) : "",
    ...(w.detail ? { detail: maskSecrets(w.detail) } : {}),
  };
}

/** A quarantine reason in the locale's words (its code stays beside it, to look the records up). */
const reasonText = (reason: string, m: Messages) => m.entry("reasons", reason) ?? reason;

export function emailView(
  config: ProjectConfig,
  report: RunReport,
  data: ReportData,
  logLines: string[],
  messages: Messages,
): EmailView {
  const locale = config.locale;
  const m = messages;
  const integer = (n: number) => formatInteger(n, locale);
  // A run that failed before it knew its days is reported under the day it ran.
  const isoDay = data.day ?? new Date().toISOString().slice(0, 10);
  const day = formatDay(isoDay, locale);
  const status = m.entry("status", report.status) ?? report.status;
  const subject = m.text("subject", { prefix: config.exports.email.subject_prefix, status, day }).trim();
  // A run id is a name, not a quantity: never grouped (`elt status --run 1234`).
  const run = report.runId === undefined ? undefined : String(report.runId);

  const shown = reportDays(report, isoDay);
  const partialIsReportDay = shown.partial?.day === isoDay;
  const partial = shown.partial
    ? partialIsReportDay
      ? undefined
      : m.text("partial_day", {
          day: formatDay(shown.partial.day, locale),
          until: shown.partial.until.toISOString().slice(11, 16),
        })
    : undefined;
  const dateColumn = data.columns[0]?.name ?? "";
  const withRows = new Set(data.summary.map((r) => dayOf(r, dateColumn)));
  const complete = shown.through.filter((d) => withRows.has(d));
  const tableDays = complete.length > 1 ? complete.slice(-RECENT_DAYS) : [];
  const older = complete.length > 1 ? complete.length - tableDays.length : 0;
  const attachment = older > 0 ? `${config.name}_${complete[0]}_${isoDay}.csv` : undefined;

  const headline = headlineOf(data, isoDay, partialIsReportDay, shown.partial?.until, locale, m);
  const summary = tableDays.length > 0 ? summaryOf(data, tableDays, older, attachment, locale, m) : undefined;

  const counts = Object.entries(report.counts)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => ({ label: m.entry("counts", k) ?? k, value: integer(v as number) }));
  const stages = report.stages.map((s) => ({
    name: m.entry("stages", s.name) ?? s.name,
    status: m.entry("status", s.status) ?? s.status,
    duration: duration(s.ms, locale, m),
    detail:
      s.note && m.has(`stage_notes.${s.note.code}`)
        ? m.text(`stage_notes.${s.note.code}`, (s.note.values ?? {}) as MessageValues)
        : s.detail === undefined
          ? undefined
          : maskSecrets(s.detail),
    failed: s.status === "failed",
  }));

  const spikes = quarantineSpikes(data.reasonDays, isoDay).map((s) => ({
    // A reason the trailing days never had is news of its own kind ("usually 0,0 %" says it badly).
    code: s.usual === 0 ? "quarantine_new_reason" : "quarantine_spike",
    text: `quarantine: ${s.count} records with reason ${s.reason} on ${isoDay}`,
    values: {
      reason: reasonText(s.reason, m),
      code: s.reason,
      n: s.count,
      day,
      share: formatPercent(s.share, locale),
      usual: formatPercent(s.usual, locale),
    },
  }));
  const warnings = [...report.warnings, ...spikes].map((w) => warningOf(w, run, m));

  const window = report.window
    ? `${formatMoment(report.window.start, locale)} — ${formatMoment(report.window.end, locale)}`
    : undefined;
  const days = report.days.map((d) => formatDay(d, locale)).join(", ");
  const generatedAt = formatMoment(new Date(), locale);
  const t: Record<string, string> = {
    report_title: m.text("report_title", { project: config.name, day }),
    failure_title:
      report.days.length > 0 || report.window
        ? m.text("failure_title", { project: config.name, day })
        : m.text("failure_title_no_day", { project: config.name }),
    run: run === undefined ? "" : m.text("run", { run }),
    window: window === undefined ? "" : m.text("window", { window }),
    no_data: m.text("no_data", { days: day }),
    sent_at: m.text("sent_at", { at: generatedAt }),
    see_run: run === undefined ? "" : m.text("see_run", { run }),
    rerun: run === undefined ? m.text("rerun") : m.text("rerun_run", { run }),
  };
  for (const k of [
    "by_day",
    "metric",
    "records",
    "top_reasons",
    "stages_heading",
    "warnings_heading",
    "what_to_do",
    "what_failed",
    "error",
    "log_tail",
  ]) {
    t[k] = m.text(k);
  }
  const charted = data.columns[1];
  return {
    lang: locale,
    t,
    project: config.name,
    status,
    ok: report.status === "success",
    subject,
    ...(report.runId !== undefined ? { runId: report.runId } : {}),
    ...(window ? { window } : {}),
    day,
    days,
    ...(headline ? { headline } : {}),
    ...(partial ? { partial } : {}),
    ...(summary ? { summary } : {}),
    ...(attachment ? { attachment } : {}),
    counts,
    quarantine: data.quarantine.map((q) => ({
      reason: maskSecrets(reasonText(q.reason, m)),
      // The code beside a described reason, to look its records up; an unknown one is its own text.
      code: m.entry("reasons", q.reason) === undefined ? "" : q.reason,
      count: integer(q.count),
    })),
    stages,
    // A failed stage's detail is mostly its error, which the error block shows whole: said once.
    failedStages: stages
      .filter((s) => s.failed)
      .map((s) => ({
        name: s.name,
        ...(s.detail && !report.error?.includes(s.detail) ? { detail: s.detail } : {}),
      })),
    warnings,
    ...(report.error === undefined ? {} : { error: maskSecrets(report.error) }),
    logTail: logLines.map(maskSecrets),
    chart: chartOf(data.recent, charted, dateColumn, data.day, locale, m),
    generatedAt,
  };
}
