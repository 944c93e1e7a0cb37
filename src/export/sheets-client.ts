import { readFileSync } from "node:fs";
import { ConfigError } from "../errors.ts";
import { registerSecret } from "../log/mask.ts";
import type { Cell } from "./column-format.ts";

export const SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets";

export interface SheetsClientOptions {
  /** Absolute path of the service-account JSON key, or the JSON itself (a CI secret in a variable). */
  credentials: string;
  spreadsheetId: string;
  /** API root override (emulators, tests); the real service otherwise. */
  rootUrl?: string;
  timeoutMs?: number;
}

/** The few Sheets v4 calls the exporter needs, on one worksheet at a time. */
export interface SheetsClient {
  /** Creates the worksheet when the spreadsheet has none of that title; true when created. */
  ensureWorksheet(title: string): Promise<boolean>;
  /** Every non-empty row of the worksheet, unformatted (numbers stay numbers). */
  readAll(title: string): Promise<unknown[][]>;
  /** Overwrites rows from `fromRow` (0-based) downwards. */
  write(title: string, fromRow: number, rows: Cell[][]): Promise<void>;
  /** Appends rows after the last non-empty row. */
  append(title: string, rows: Cell[][]): Promise<void>;
  /** Sets the note (the comment shown on hover) of the worksheet's first cell, A1. */
  setNote(title: string, note: string): Promise<void>;
}

interface ServiceAccount {
  type?: string;
  client_email: string;
  private_key: string;
}

/** The key from a file, or inline JSON when the value starts with "{" (never echoed in errors). */
export function readServiceAccount(pathOrJson: string): ServiceAccount {
  const inline = pathOrJson.trimStart().startsWith("{");
  const where = inline ? "the inline JSON" : pathOrJson;
  let json: Partial<ServiceAccount>;
  try {
    json = JSON.parse(inline ? pathOrJson : readFileSync(pathOrJson, "utf8")) as Partial<ServiceAccount>;
  } catch (error) {
    const why = inline ? "not valid JSON" : (error as Error).message;
    throw new ConfigError(`exports.sheets.credentials: cannot read ${where}: ${why}`, {
      code: "CONFIG_SHEETS_CREDENTIALS",
    });
  }
  if (typeof json.client_email !== "string" || typeof json.private_key !== "string") {
    throw new ConfigError(
      `exports.sheets.credentials: ${where} is not a service-account key (client_email and private_key are required)`,
      { code: "CONFIG_SHEETS_CREDENTIALS" },
    );
  }
  registerSecret(json.private_key);
  return json as ServiceAccount;
}

/** A1 notation for a whole worksheet or from one of its rows: quotes survive any title. */
export function a1(title: string, fromRow?: number): string {
  const quoted = `'${title.replace(/'/g, "''")}'`;
  return fromRow === undefined ? quoted : `${quoted}!A${fromRow + 1}`;
}

/**
 * googleapis, loaded on first use: only the Sheets API module (~0.1 s instead of ~0.8 s for the
 * whole package). Authentication is the service account's self-signed JWT
 * (`useJWTAccessWithScope`): no token request, the same path in production and against a fake.
 */
export async function openSheetsClient(options: SheetsClientOptions): Promise<SheetsClient> {
  const account = readServiceAccount(options.credentials);
  const { sheets, auth: authPlus } = await import("googleapis/build/src/apis/sheets/index.js");
  const auth = new authPlus.GoogleAuth({ credentials: account, scopes: [SHEETS_SCOPE] });
  auth.useJWTAccessWithScope = true;
  const api = sheets({
    version: "v4",
    auth,
    ...(options.rootUrl ? { rootUrl: options.rootUrl.replace(/\/?$/, "/") } : {}),
    // Our exporter retries (and records each attempt); gaxios's own retries would hide them.
    retry: false,
    timeout: options.timeoutMs ?? 60_000,
  });
  const spreadsheetId = options.spreadsheetId;
  // Cell requests (a note) address a worksheet by its numeric id, not its title.
  const sheetIds = new Map<string, number>();
  async function readSheetIds(): Promise<void> {
    const { data } = await api.spreadsheets.get({
      spreadsheetId,
      fields: "sheets.properties(sheetId,title)",
    });
    for (const s of data.sheets ?? []) {
      if (s.properties?.title != null && s.properties.sheetId != null)
        sheetIds.set(s.properties.title, s.properties.sheetId);
    }
  }
  return {
    async ensureWorksheet(title) {
      await readSheetIds();
      if (sheetIds.has(title)) return false;
      const { data } = await api.spreadsheets.batchUpdate({
        spreadsheetId,
        requestBody: { requests: [{ addSheet: { properties: { title } } }] },
      });
      const added = data.replies?.[0]?.addSheet?.properties?.sheetId;
      if (added != null) sheetIds.set(title, added);
      return true;
    },
    async readAll(title) {
      const { data } = await api.spreadsheets.values.get({
        spreadsheetId,
        range: a1(title),
        valueRenderOption: "UNFORMATTED_VALUE",
      });
      return (data.values ?? []) as unknown[][];
    },
    async write(title, fromRow, rows) {
      await api.spreadsheets.values.update({
        spreadsheetId,
        range: a1(title, fromRow),
        valueInputOption: "RAW",
        requestBody: { values: rows },
      });
    },
    async append(title, rows) {
      await api.spreadsheets.values.append({
        spreadsheetId,
        range: a1(title, 0),
        valueInputOption: "RAW",
        insertDataOption: "INSERT_ROWS",
        requestBody: { values: rows },
      });
    },
    async setNote(title, note) {
      if (!sheetIds.has(title)) await readSheetIds();
      const sheetId = sheetIds.get(title);
      if (sheetId === undefined) throw new Error(`worksheet "${title}" not found`);
      await api.spreadsheets.batchUpdate({
        spreadsheetId,
        requestBody: {
          requests: [
            {
              updateCells: {
                range: { sheetId, startRowIndex: 0, endRowIndex: 1, startColumnIndex: 0, endColumnIndex: 1 },
                rows: [{ values: [{ note }] }],
                fields: "note",
              },
            },
          ],
        },
      });
    },
  };
}
