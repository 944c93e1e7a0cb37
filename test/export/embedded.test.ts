import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { exportSheets } from "../../src/export/export-sheets.ts";
import { sendReportEmail } from "../../src/export/send-email.ts";
import { createTestDatabase, embeddedAdminUrl, type TestDatabase } from "../helpers/pg.ts";
import { config, insertSummary, SUMMARY_DDL, summaryRow } from "./summary-fixture.ts";

// The demo runs both exporters on the embedded engine, writing files: the same results as on a server.
const dir = mkdtempSync(join(tmpdir(), "elt-export-embedded-"));
let embdb: TestDatabase;
let db: Database;

beforeAll(async () => {
  embdb = await createTestDatabase("export_embedded", embeddedAdminUrl());
  db = await openDatabase({ url: embdb.url, embeddedDir: "unused" });
  await migrate(db, { dirs: [] });
  await db.query(SUMMARY_DDL);
  await insertSummary(db, [summaryRow("2026-11-22", 1), summaryRow("2026-11-23", 2)]);
});

afterAll(async () => {
  await db?.close();
  await embdb?.drop();
});

describe("exports on the embedded database", () => {
  it("writes the CSV preview and the .eml report", async () => {
    const c = config({
      locale: "en",
      exports: {
        sheets: { preview_path: "out/sheet.csv" },
        email: { eml_path: "out/report.eml", to: ["a@example.org"] },
      },
    });
    const ctx = { db, config: c, path: (p: string) => resolve(dir, p), projectDir: dir };
    expect(await exportSheets(ctx, { days: ["2026-11-22", "2026-11-23"] })).toMatchObject({ rows: 2 });
    const csv = readFileSync(join(dir, "out/sheet.csv"), "utf8")
      .replace(/^\uFEFF/, "")
      .split("\r\n");
    expect(csv[0]).toMatch(/^Date,Attempts,Runs,/);
    expect(csv[2]).toMatch(new RegExp(`^2026-11-23,${summaryRow("x", 2).attempts},`));
    const sent = await sendReportEmail(ctx, {
      status: "success",
      days: ["2026-11-23"],
      counts: {},
      stages: [],
      warnings: [],
    });
    expect(sent.status).toBe("sent");
    const mail = await simpleParser(readFileSync(join(dir, "out/report.eml")));
    expect(mail.text).toContain(summaryRow("x", 2).attempts.toLocaleString("en-US"));
    const { rows } = await db.query("SELECT kind, status FROM elt.exports ORDER BY id");
    expect(rows).toEqual([
      { kind: "sheets", status: "success" },
      { kind: "email", status: "success" },
    ]);
  });
});
