import { formatDuration } from "../log/timestamp.ts";
import type { PipelineStatus } from "./pipeline-status.ts";
import type { RunRow } from "./run-ledger.ts";

const iso = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 19) : "");

/** The last runs as a plain-text table for people. */
function formatRunsTable(runs: RunRow[]): string {
  const header = [
    "run",
    "started (UTC)",
    "status",
    "duration",
    "window (UTC)",
    "landed",
    "loaded",
    "quarantined",
    "error",
  ];
  const rows = runs.map((r) => [
    String(r.id),
    iso(r.started_at),
    r.status,
    r.finished_at ? formatDuration(r.finished_at.getTime() - r.started_at.getTime()) : "",
    r.window_start ? `${iso(r.window_start)} → ${iso(r.window_end)}` : "",
    String(r.counts.landed ?? ""),
    String(r.counts.loaded ?? ""),
    String(r.counts.quarantined ?? ""),
    (r.error ?? "").split("\n")[0]?.slice(0, 60) ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** `elt status` for people: the runs table, then the watermarks. */
export function formatStatus(status: PipelineStatus): string {
  const landed =
    status.extractWatermark?.toISOString() ??
    (status.rawRecords > 0 ? "no incremental extract yet (backfills only)" : "nothing landed yet");
  return [
    formatRunsTable(status.runs),
    "",
    `extract watermark: ${landed} (raw records: ${status.rawRecords})`,
    ...(status.pendingGap
      ? [
          `failed window to fetch again: ${status.pendingGap.start.toISOString()} → ${status.pendingGap.end.toISOString()}`,
        ]
      : []),
    ...status.incompleteWindows.map(
      (w) =>
        `incomplete window ${iso(w.window.start)} → ${iso(w.window.end)}: ${w.reason}; ${w.fetches} suspect answer${w.fetches > 1 ? "s" : ""}${w.givenUp ? ", given up: fetch it with `elt run --start … --end …` or accept it with --accept-incomplete" : ", fetched again by the next run"}`,
    ),
    ...status.notableLoads.map(
      (l) =>
        `load ${l.id} ${iso(l.window_start)} → ${iso(l.window_end)} (${l.status}): ${[
          l.suspect ? `looked incomplete (${l.suspect})` : "",
          l.rejected ? `${l.rejected} rejected` : "",
          l.outside ? `${l.outside} outside the window` : "",
          l.conflicts ? `${l.conflicts} conflicts` : "",
        ]
          .filter(Boolean)
          .join(", ")}`,
    ),
    ...status.models.map((m) => `model ${m.model}: watermark ${m.watermark} (${m.updated_at.toISOString()})`),
    ...formatSourceChecks(status.sourceChecks),
  ].join("\n");
}

/** A summary line for the last run's source checks, then one line per check that did not pass. */
function formatSourceChecks(checks: PipelineStatus["sourceChecks"]): string[] {
  const first = checks[0];
  if (!first) return [];
  const n = (s: string) => checks.filter((c) => c.status === s).length;
  const counts = (["pass", "warn", "error"] as const).filter((s) => n(s) > 0).map((s) => `${n(s)} ${s}`);
  const run = first.run_id !== null ? `run ${first.run_id}, ` : "";
  return [
    `source checks (${run}${iso(first.checked_at)}): ${counts.join(", ")}`,
    ...checks
      .filter((c) => c.status !== "pass")
      .map(
        (c) =>
          `  ${c.status} ${c.check} ${c.source}${c.load_id !== null ? ` load ${c.load_id}` : ""}: ${c.message ?? ""}`,
      ),
  ];
}
