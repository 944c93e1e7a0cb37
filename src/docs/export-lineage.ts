import type { ProjectConfig } from "../config/project-schema.ts";
import { SUMMARY_RELATION } from "../export/read-summary.ts";
import { QUARANTINE_RELATION } from "../export/run-report.ts";

export interface ExportDoc {
  name: string;
  description: string;
  /** Relations it reads, `schema.name`. */
  reads: string[];
  /** Where it writes, as configured (no secrets). */
  target: string;
  configured: boolean;
}

/**
 * The exporters and the relations they read. Those relations are constants of src/export today,
 * not project settings, so they are taken from there rather than written again here.
 */
export function exportDocs(config: ProjectConfig): ExportDoc[] {
  const { sheets, email } = config.exports;
  return [
    {
      name: "sheets",
      description: "Upserts each exported day's summary row into the Google Sheets worksheet, by date",
      reads: [SUMMARY_RELATION],
      target: `worksheet "${sheets.worksheet}"`,
      configured: Boolean(sheets.spreadsheet_id),
    },
    {
      name: "email",
      description: "The report email: the days' summary, a chart, the run's counts and quarantine reasons",
      reads: [SUMMARY_RELATION, QUARANTINE_RELATION],
      target: email.to.length > 0 ? `${email.to.length} recipient(s)` : "no recipients",
      configured: Boolean(email.smtp_url),
    },
  ];
}
