import { log } from "../log/logger.ts";
import { type Cell, toCell } from "./column-format.ts";
import { upsertCsvPreview } from "./csv-preview.ts";
import { deliverExport } from "./deliver-export.ts";
import { exportColumns } from "./export-columns.ts";
import type { ExportContext } from "./export-context.ts";
import { recordExport } from "./export-ledger.ts";
import { exportedModel } from "./exported-model.ts";
import { loadMessages } from "./messages.ts";
import { checkColumns, readSummary, summaryColumnNames } from "./read-summary.ts";
import { sheetNote } from "./sheet-note.ts";
import { openSheetsClient } from "./sheets-client.ts";
import { upsertByDate } from "./upsert-by-date.ts";

export interface SheetsExportOptions {
  /** The days to export, 'YYYY-MM-DD'. Days without a summary row are left alone. */
  days: string[];
  /** Recorded with each attempt in elt.exports. */
  runId?: number;
}

export interface SheetsExportResult {
  status: "written" | "skipped";
  /** Day rows written (updated or inserted). */
  rows: number;
  /** Where they went: the spreadsheet and worksheet, or the CSV preview file. */
  target: string;
}

/**
 * Upserts the days' rows of the exported model (exports.summary) into the Google Sheets worksheet
 * by date, headed by its columns' labels and written in their formats (its yml; created
 * when missing, header written when absent, rows sorted, a day never duplicated). With
 * `exports.sheets.preview_path` the same rows are upserted into a CSV file too, which is the whole
 * export when no spreadsheet is configured. Neither configured: skipped with a warning.
 */
export async function exportSheets(
  ctx: ExportContext,
  options: SheetsExportOptions,
): Promise<SheetsExportResult> {
  const { db, config } = ctx;
  const sheets = config.exports.sheets;
  const csvPath = sheets.preview_path ? ctx.path(sheets.preview_path) : undefined;
  const day = options.days.at(-1);
  if (!sheets.spreadsheet_id && !csvPath) {
    log.warn("Google Sheets export skipped: not configured (exports.sheets.spreadsheet_id)");
    await recordExport(db, {
      kind: "sheets",
      day,
      runId: options.runId,
      status: "skipped",
      attempts: 0,
      ms: 0,
    });
    return { status: "skipped", rows: 0, target: "" };
  }

  const model = exportedModel(ctx);
  const worksheet = sheets.worksheet ?? model.name;
  const target = sheets.spreadsheet_id
    ? `spreadsheet ${sheets.spreadsheet_id}, worksheet "${worksheet}"`
    : (csvPath ?? "");

  const available = await summaryColumnNames(db, model);
  if (sheets.columns) checkColumns(model, available, sheets.columns);
  const columns = exportColumns(model, available, sheets.columns);
  // One locale for the email and the sheet; exports.sheets.locale (deprecated) still overrides it here.
  const locale = sheets.locale ?? config.locale;
  if (sheets.locale && sheets.locale !== config.locale) {
    log.warn(
      `exports.sheets.locale (${sheets.locale}) is deprecated and overrides locale (${config.locale}) for the sheet: set the top-level locale instead`,
    );
  }
  const header = columns.map((c) => c.label[locale]);
  const rows: Cell[][] = (await readSummary(db, model, options.days)).map((r) =>
    columns.map((c) => toCell(c, r[c.name])),
  );
  const missing = options.days.filter((d) => !rows.some((r) => r[0] === d));
  if (missing.length > 0) log.info(`no summary rows for ${missing.join(", ")} (no attempts)`);
  if (rows.length === 0) {
    log.info("nothing to export to Google Sheets");
    return { status: "written", rows: 0, target };
  }

  await deliverExport(
    {
      db,
      kind: "sheets",
      label: "Google Sheets",
      target,
      day,
      runId: options.runId,
      retries: config.exports.retries,
      delayMs: config.exports.retry_delay_seconds * 1000,
    },
    async () => {
      if (sheets.spreadsheet_id && sheets.credentials) {
        log.info("connecting to Google Sheets");
        const client = await openSheetsClient({
          credentials: sheets.credentials.trimStart().startsWith("{")
            ? sheets.credentials
            : ctx.path(sheets.credentials),
          spreadsheetId: sheets.spreadsheet_id,
          rootUrl: sheets.root_url,
        });
        if (await client.ensureWorksheet(worksheet)) log.info(`worksheet "${worksheet}" created`);
        const existing = await client.readAll(worksheet);
        const plan = upsertByDate(existing, header, rows);
        if (plan.from === -1) {
          log.info(`Google Sheets already up to date: ${rows.length} rows`);
        } else {
          if (plan.appendOnly && existing.length > 0) {
            await client.append(worksheet, plan.grid.slice(existing.length));
          } else {
            await client.write(worksheet, plan.from, plan.grid.slice(plan.from));
          }
          // Only when figures changed: the note says which run last wrote them.
          const written = rows.map((r) => String(r[0]));
          await client.setNote(
            worksheet,
            sheetNote(
              { at: new Date(), runId: options.runId, days: written },
              loadMessages(ctx.path(config.exports.email.templates_dir), locale),
            ),
          );
          log.info(
            `summary written to Google Sheets: ${rows.length} rows (${plan.updated} updated, ${plan.inserted} new)${options.runId !== undefined ? `, noted as run ${options.runId}` : ""}`,
          );
        }
      }
      if (csvPath) {
        const r = upsertCsvPreview(csvPath, header, rows);
        log.info(
          `summary written to ${csvPath}: ${rows.length} rows (${r.updated} updated, ${r.inserted} new)`,
        );
      }
    },
  );
  return { status: "written", rows: rows.length, target };
}
