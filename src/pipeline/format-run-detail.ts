import { formatDuration } from "../log/timestamp.ts";
import type { RunDetail } from "./run-detail.ts";
import { textTable } from "./text-table.ts";

const iso = (d: Date | null | undefined) => (d ? d.toISOString().replace("T", " ").slice(0, 19) : "");
const str = (v: unknown) => (v === null || v === undefined ? "" : String(v));
const ms = (v: number | null | undefined) => (v === null || v === undefined ? "" : formatDuration(v));
/** The first line of an error, short enough for a table cell. */
const brief = (v: string | null | undefined, max = 80) => {
  const line = (v ?? "").split("\n")[0] ?? "";
  return line.length > max ? `${line.slice(0, max)}…` : line;
};
const yesNo = (v: boolean | null | undefined) => (v === true ? "yes" : v === false ? "no" : "");

/** A section title with its row count, then its table, or a line saying it is empty. */
function section(title: string, count: number, table: () => string): string[] {
  return ["", `${title} (${count})`, count === 0 ? "  none" : table()];
}

/** The raw ids of an audit's failing rows, a few of them. */
function rawIds(ids: number[] | null | undefined): string {
  if (!ids || ids.length === 0) return "";
  return ids.length > 5 ? `${ids.slice(0, 5).join(", ")} … (${ids.length})` : ids.join(", ");
}

/** `elt status --run N` for people: the run, its stages and counts, then each ledger's rows. */
export function formatRunDetail(detail: RunDetail): string {
  const { run } = detail;
  const took = run.finished_at
    ? `, ${formatDuration(run.finished_at.getTime() - run.started_at.getTime())}`
    : "";
  const counts = Object.entries(run.counts ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  const lines = [
    `run ${run.id}: ${run.status} (started ${iso(run.started_at)} UTC${took})`,
    ...(run.window_start ? [`window (UTC): ${iso(run.window_start)} → ${iso(run.window_end)}`] : []),
    ...(run.host || run.pid ? [`on ${str(run.host)}${run.pid ? ` pid ${run.pid}` : ""}`] : []),
    ...(counts ? [`counts: ${counts}`] : []),
    ...(run.error ? ["error:", ...run.error.split("\n").map((l) => `  ${l}`)] : []),
    ...section("stages", run.stages.length, () =>
      textTable(
        ["stage", "status", "duration", "detail"],
        run.stages.map((s) => [s.name, s.status, ms(s.ms), brief(s.detail, 100)]),
        "  ",
      ),
    ),
    ...section("loads", detail.loads.length, () =>
      textTable(
        [
          "load",
          "window (UTC)",
          "mode",
          "status",
          "http",
          "records",
          "new",
          "dup",
          "rejected",
          "outside",
          "conflicts",
          "tries",
          "duration",
          "note",
        ],
        detail.loads.map((l) => [
          String(l.id),
          `${iso(l.window_start)} → ${iso(l.window_end)}`,
          str(l.mode),
          str(l.status),
          str(l.http_status),
          str(l.records),
          str(l.inserted),
          str(l.duplicates),
          str(l.rejected),
          str(l.outside),
          str(l.conflicts),
          str(l.attempts),
          ms(l.ms),
          brief(
            l.error ?? (l.suspect ? `looked incomplete: ${l.suspect}${l.accepted ? " (accepted)" : ""}` : ""),
          ),
        ]),
        "  ",
      ),
    ),
    ...section("models", detail.models.length, () =>
      textTable(
        ["model", "materialized", "mode", "status", "rows", "duration", "published", "error"],
        detail.models.map((m) => [
          str(m.model),
          str(m.materialized),
          str(m.mode),
          str(m.status),
          str(m.rows),
          ms(m.ms),
          yesNo(m.published),
          brief(m.error),
        ]),
        "  ",
      ),
    ),
    ...section("audits", detail.audits.length, () =>
      textTable(
        ["audit", "model", "severity", "scope", "status", "failures", "raw ids", "error"],
        detail.audits.map((a) => [
          str(a.name),
          str(a.model),
          str(a.severity),
          str(a.scope),
          str(a.status),
          str(a.failures),
          rawIds(a.raw_ids),
          brief(a.error),
        ]),
        "  ",
      ),
    ),
    ...section("source checks", detail.sourceChecks.length, () =>
      textTable(
        ["check", "source", "load", "severity", "status", "message"],
        detail.sourceChecks.map((c) => [
          str(c.check),
          str(c.source),
          str(c.load_id),
          str(c.severity),
          str(c.status),
          brief(c.message, 100),
        ]),
        "  ",
      ),
    ),
    ...section("exports", detail.exports.length, () =>
      textTable(
        ["export", "day", "status", "attempt", "duration", "at (UTC)", "target", "error"],
        detail.exports.map((e) => [
          str(e.kind),
          str(e.day),
          str(e.status),
          str(e.attempts),
          ms(e.ms),
          iso(e.at),
          str(e.target),
          brief(e.error),
        ]),
        "  ",
      ),
    ),
    ...(detail.unavailable.length > 0
      ? ["", "not in this database's ledger:", ...detail.unavailable.map((u) => `  ${u}`)]
      : []),
  ];
  return lines.join("\n");
}
