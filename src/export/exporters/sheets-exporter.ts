import { notice } from "../../pipeline/notice.ts";
import { exportSheets } from "../export-sheets.ts";
import type { Exporter } from "./exporter.ts";

/** The exported model's rows, upserted by date into a Google Sheets worksheet (and/or a CSV preview). */
export const sheetsExporter: Exporter = {
  key: "sheets",
  stage: "sheets export",
  when: "published",
  description:
    "Upserts each exported day's row of the exported model into the Google Sheets worksheet, by date",
  target: (config) => `worksheet "${config.exports.sheets.worksheet ?? config.exports.summary.model ?? ""}"`,
  configured: (config) => Boolean(config.exports.sheets.spreadsheet_id || config.exports.sheets.preview_path),
  reportSql: () => [],
  async run(ctx, { days, runId }) {
    const r = await exportSheets(ctx, { days, ...(runId !== undefined ? { runId } : {}) });
    return {
      status: r.status,
      detail:
        r.status === "skipped"
          ? notice("not_configured", "not configured")
          : notice("sheets", `${r.rows} rows to ${r.target}`, { rows: r.rows, target: r.target }),
    };
  },
};
