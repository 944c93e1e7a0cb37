import { generateKeyPairSync, sign } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEltError } from "../../src/errors.ts";
import { exportSheets } from "../../src/export/export-sheets.ts";
import { type FakeSheets, startFakeSheets } from "../helpers/fake-sheets.ts";
import {
  config,
  insertSummary,
  type SummaryDatabase,
  summaryDatabase,
  summaryRow,
} from "./summary-fixture.ts";

let sdb: SummaryDatabase;
let fake: FakeSheets;
const dir = mkdtempSync(join(tmpdir(), "elt-sheets-"));
const path = (p: string) => resolve(dir, p);

beforeAll(async () => {
  sdb = await summaryDatabase("export_sheets");
  await insertSummary(sdb.db, [
    summaryRow("2026-11-20", 0),
    summaryRow("2026-11-21", 1),
    summaryRow("2026-11-22", 2),
    summaryRow("2026-11-23", 3),
  ]);
  fake = await startFakeSheets();
});

afterAll(async () => {
  await fake?.close();
  await sdb?.close();
});

function sheetsConfig(extra: Record<string, unknown> = {}) {
  return config({
    exports: {
      sheets: {
        credentials: fake.credentialsFile,
        spreadsheet_id: fake.spreadsheetId,
        root_url: fake.url,
        ...extra,
      },
      retries: 1,
      retry_delay_seconds: 0,
    },
  });
}

const ctx = (c = sheetsConfig()) => ({ db: sdb.db, config: c, path, projectDir: dir });

describe("exportSheets against a fake Sheets API", () => {
  it("the fake refuses requests without a JWT signed by the service account's key", async () => {
    const url = `${fake.url}v4/spreadsheets/${fake.spreadsheetId}`;
    expect((await fetch(url)).status).toBe(401);
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const unsigned = `${part({ alg: "RS256", typ: "JWT" })}.${part({
      iss: fake.clientEmail,
      scope: "https://www.googleapis.com/auth/spreadsheets",
      exp: Math.floor(Date.now() / 1000) + 600,
    })}`;
    const forged = `${unsigned}.${sign("RSA-SHA256", Buffer.from(unsigned), privateKey).toString("base64url")}`;
    expect((await fetch(url, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
    expect(fake.rejected).toBe(2);
    expect(fake.requests).toHaveLength(0);
  });

  it("creates the worksheet, writes the Russian header and the day rows", async () => {
    const result = await exportSheets(ctx(), { days: ["2026-11-22"] });
    expect(result).toMatchObject({ status: "written", rows: 1 });
    expect(fake.rejected).toBe(2); // only the forged ones above
    expect(fake.requests.every((r) => r.claims.iss === fake.clientEmail)).toBe(true);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v4/spreadsheets/${fake.spreadsheetId}`,
      `POST /v4/spreadsheets/${fake.spreadsheetId}:batchUpdate`,
      `GET /v4/spreadsheets/${fake.spreadsheetId}/values/'daily_summary'`,
      `PUT /v4/spreadsheets/${fake.spreadsheetId}/values/'daily_summary'!A1`,
      `POST /v4/spreadsheets/${fake.spreadsheetId}:batchUpdate`,
    ]);
    // The last-updated note on A1: no run id for a standalone export.
    expect(fake.notes.get("daily_summary!A1")).toMatch(
      /^Обновлено \d{4}-\d\d-\d\d \d\d:\d\d UTC, elt export \(дни 2026-11-22\)/,
    );
    const rows = fake.sheets.get("daily_summary") as unknown[][];
    expect(rows[0]?.slice(0, 7)).toEqual([
      "Дата",
      "Попыток",
      "Запусков",
      "Отправок",
      "Успешных",
      "Доля успешных",
      "Уникальных пользователей",
    ]);
    expect(rows[0]).toHaveLength(12);
    const expected = summaryRow("2026-11-22", 2);
    expect(rows[1]?.slice(0, 7)).toEqual([
      "2026-11-22",
      expected.attempts,
      expected.runs,
      expected.submits,
      expected.correct_submits,
      Number((expected.success_rate as number).toFixed(4)),
      expected.unique_users,
    ]);
  });

  it("upserts by date: a re-export updates in place, new days are inserted sorted, never duplicated", async () => {
    await insertSummary(sdb.db, [{ ...summaryRow("2026-11-22", 2), attempts: 5555 }]);
    fake.requests.length = 0;
    // An older day (inserted before), the changed day and a newer one (after).
    const result = await exportSheets(ctx(), { days: ["2026-11-20", "2026-11-22", "2026-11-23"] });
    expect(result.rows).toBe(3);
    expect(fake.requests.map((r) => r.method)).toEqual(["GET", "GET", "PUT", "POST"]);
    const rows = fake.sheets.get("daily_summary") as unknown[][];
    expect(rows.map((r) => r[0])).toEqual(["Дата", "2026-11-20", "2026-11-22", "2026-11-23"]);
    expect(rows[2]?.[1]).toBe(5555);

    // Only a newer day: appended after the last row.
    fake.requests.length = 0;
    await exportSheets(ctx(), { days: ["2026-11-23", "2026-11-21"] });
    expect(rows.map((r) => r[0])).toEqual(["Дата", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"]);
    await exportSheets(ctx(), { days: ["2026-11-23"] });
    expect(fake.sheets.get("daily_summary")?.map((r) => r[0])).toEqual([
      "Дата",
      "2026-11-20",
      "2026-11-21",
      "2026-11-22",
      "2026-11-23",
    ]);
  });

  it("appends a new last day without rewriting the rows before it", async () => {
    await insertSummary(sdb.db, [summaryRow("2026-11-24", 4)]);
    fake.requests.length = 0;
    await exportSheets(ctx(), { days: ["2026-11-24"] });
    const write = fake.requests.at(-2);
    expect(write?.method).toBe("POST");
    expect(write?.path).toMatch(/:append$/);
    expect(write?.body).toEqual({
      values: [expect.arrayContaining(["2026-11-24", summaryRow("2026-11-24", 4).attempts])],
    });
    expect(
      fake.sheets
        .get("daily_summary")
        ?.map((r) => r[0])
        .at(-1),
    ).toBe("2026-11-24");
  });

  it("writes English labels and only the configured columns with locale en", async () => {
    const c = sheetsConfig({ worksheet: "Daily (en)", locale: "en", columns: ["attempts", "unique_users"] });
    await exportSheets(ctx(c), { days: ["2026-11-21"], runId: 41 });
    expect(fake.notes.get("Daily (en)!A1")).toMatch(
      /^Updated \d{4}-\d\d-\d\d \d\d:\d\d UTC by elt run 41 \(days 2026-11-21\)\. elt status --run 41 shows it\.$/,
    );
    // Unchanged figures leave the note to the run that wrote them.
    await exportSheets(ctx(c), { days: ["2026-11-21"], runId: 42 });
    expect(fake.notes.get("Daily (en)!A1")).toContain("elt run 41");
    expect(fake.sheets.get("Daily (en)")).toEqual([
      ["Date", "Attempts", "Unique users"],
      ["2026-11-21", summaryRow("x", 1).attempts, summaryRow("x", 1).unique_users],
    ]);
  });

  it("accepts the service-account key as inline JSON; a bad key is a config error", async () => {
    const inline = readFileSync(fake.credentialsFile, "utf8");
    await exportSheets(ctx(sheetsConfig({ credentials: inline, worksheet: "inline" })), {
      days: ["2026-11-21"],
    });
    expect(fake.sheets.get("inline")?.map((r) => r[0])).toEqual(["Дата", "2026-11-21"]);
    const bad = await exportSheets(ctx(sheetsConfig({ credentials: '{"private_key": "-----BEGIN' })), {
      days: ["2026-11-21"],
    }).catch((e: unknown) => e);
    expect(isEltError(bad) && bad.exitCode).toBe(2);
    expect(String(bad)).toContain("cannot read the inline JSON: not valid JSON");
    expect(String(bad)).not.toContain("BEGIN");
  });

  it("rejects a column the summary does not have as a config error (exit 2)", async () => {
    const c = sheetsConfig({ columns: ["attempts", "nope"] });
    const error = await exportSheets(ctx(c), { days: ["2026-11-21"] }).catch((e: unknown) => e);
    expect(isEltError(error) && error.exitCode).toBe(2);
    expect(String(error)).toContain('"nope"');
  });

  it("retries a transient outage and records every attempt in elt.exports", async () => {
    fake.failNext(1, 503);
    await exportSheets(ctx(), { days: ["2026-11-21"], runId: 77 });
    const { rows } = await sdb.db.query<{ status: string; attempts: number; error: string | null }>(
      "SELECT status, attempts, error FROM elt.exports WHERE run_id = 77 ORDER BY id",
    );
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ["failed", 1],
      ["success", 2],
    ]);
    expect(rows[0]?.error).toMatch(/unavailable|503/i);
  });

  it("fails with exit 1 after the last retry, naming the cause", async () => {
    fake.failNext(5, 500);
    const error = await exportSheets(ctx(), { days: ["2026-11-21"], runId: 78 }).catch((e: unknown) => e);
    fake.failNext(0);
    expect(isEltError(error) && error.exitCode).toBe(1);
    expect(String(error)).toMatch(/Google Sheets export failed after 2 attempts/);
  });

  it("without a spreadsheet writes the CSV preview with the same upsert, or skips", async () => {
    const csv = join(dir, "out", "preview.csv");
    const c = config({ exports: { sheets: { preview_path: "out/preview.csv" } } });
    expect(await exportSheets(ctx(c), { days: ["2026-11-21", "2026-11-23"] })).toEqual({
      status: "written",
      rows: 2,
      target: csv,
    });
    await exportSheets(ctx(c), { days: ["2026-11-22", "2026-11-23"] });
    const lines = readFileSync(csv, "utf8")
      .replace(/^\uFEFF/, "")
      .trim()
      .split(/\r\n/);
    expect(lines.map((l) => l.split(",")[0])).toEqual(["Дата", "2026-11-21", "2026-11-22", "2026-11-23"]);
    expect(lines[2]).toContain(",5555,");

    const none = await exportSheets(ctx(config({})), { days: ["2026-11-21"] });
    expect(none.status).toBe("skipped");
    expect(existsSync(join(dir, "preview.csv"))).toBe(false);
  });
});
