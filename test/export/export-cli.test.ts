import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDate } from "../../src/log/timestamp.ts";
import { runElt } from "../helpers/cli.ts";
import { type FakeSheets, startFakeSheets } from "../helpers/fake-sheets.ts";
import { SHIPPED_EXPORTS_LINES, SHIPPED_MODELS_YAML, tempProject } from "../helpers/project.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";
import { insertSummary, type SummaryDatabase, summaryDatabase, summaryRow } from "./summary-fixture.ts";

let sdb: SummaryDatabase;
let fake: FakeSheets;
let smtp: TestSmtp;

beforeAll(async () => {
  sdb = await summaryDatabase("export_cli");
  await insertSummary(sdb.db, [summaryRow("2026-11-22", 1), summaryRow("2026-11-23", 2)]);
  [fake, smtp] = await Promise.all([startFakeSheets(), startSmtp()]);
});

afterAll(async () => {
  await Promise.all([fake?.close(), smtp?.close()]);
  await sdb?.close();
});

function project(smtpUrl: string): string {
  return tempProject({
    "project.yml": `
database:
  url: ${sdb.test.url}
${SHIPPED_MODELS_YAML}
exports:
${SHIPPED_EXPORTS_LINES}
  retries: 0
  sheets:
    credentials: ${fake.credentialsFile}
    spreadsheet_id: ${fake.spreadsheetId}
    root_url: ${fake.url}
  email:
    smtp_url: "${smtpUrl}"
    from: elt@example.org
    to: ops@example.org, lead@example.org
`,
  });
}

describe("elt export", () => {
  it("an unreachable SMTP server: ERROR and exit 1, the Sheets export still done", async () => {
    const dir = project("smtp://mailer:Unreachable-Pw9@127.0.0.1:1/?ignoreTLS=true");
    const result = await runElt(["export", "--project-dir", dir, "--date", "2026-11-23"]);
    expect(result.code).toBe(1);
    expect(fake.sheets.get("daily_summary")?.map((r) => r[0])).toEqual(["Дата", "2026-11-23"]);
    const logText = readFileSync(join(dir, "logs", `${localDate()}.log`), "utf8");
    expect(logText).toMatch(/INFO +connecting to Google Sheets/);
    expect(logText).toMatch(/INFO +summary written to Google Sheets: 1 rows/);
    expect(logText).toMatch(/ERROR +email export failed: .*ECONNREFUSED/);
    for (const text of [logText, result.stderr]) expect(text).not.toContain("Unreachable-Pw9");
    const { rows } = await sdb.db.query<{ kind: string; status: string }>(
      "SELECT kind, status FROM elt.exports ORDER BY id",
    );
    expect(rows).toEqual([
      { kind: "sheets", status: "success" },
      { kind: "email", status: "failed" },
    ]);
  });

  it("export email defaults to the latest summary day and sends to every recipient", async () => {
    const dir = project(smtp.url);
    const result = await runElt(["export", "email", "--project-dir", dir]);
    expect(result.stderr).toMatch(/email sent to ops@example.org, lead@example.org/);
    expect(result.code).toBe(0);
    expect(smtp.received.at(-1)?.mail.subject).toBe("[elt] успешно 23.11.2026"); // ru by default
  });

  it("usage errors exit 2", async () => {
    const dir = project(smtp.url);
    expect((await runElt(["export", "sheets", "--project-dir", dir, "--date", "2026-02-30"])).code).toBe(2);
    const bad = await runElt(["export", "fax", "--project-dir", dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected sheets, email or all, got "fax"');
  });
});
