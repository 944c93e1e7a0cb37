import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../../src/config/load-project.ts";
import { isEltError } from "../../src/errors.ts";
import type { RunReport } from "../../src/export/run-report.ts";
import { sendReportEmail } from "../../src/export/send-email.ts";
import { localDate } from "../../src/log/timestamp.ts";
import { notice } from "../../src/pipeline/notice.ts";
import { SHIPPED_EXPORTS_LINES, SHIPPED_MODELS_YAML, tempProject } from "../helpers/project.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";
import { insertSummary, type SummaryDatabase, summaryDatabase, summaryRow } from "./summary-fixture.ts";

let sdb: SummaryDatabase;
let smtp: TestSmtp;
const CLIENT_KEY = "KEY-s3cret-client-777";
const DAYS = Array.from({ length: 16 }, (_, i) => `2026-11-${String(8 + i).padStart(2, "0")}`);

beforeAll(async () => {
  sdb = await summaryDatabase("export_email");
  // 16 days, one of them empty (no row), so the chart shows 14 bars with a gap.
  await insertSummary(
    sdb.db,
    DAYS.filter((d) => d !== "2026-11-20").map((d, i) => summaryRow(d, i)),
  );
  // Quarantined records 1-3 were landed in the run's window, 4 earlier.
  await sdb.db.query(`INSERT INTO raw.api_attempts (id, load_id, record, record_hash, window_start, window_end)
    OVERRIDING SYSTEM VALUE VALUES
    (1, 1, '{}', 'h1', '2026-11-23', '2026-11-24'), (2, 1, '{}', 'h2', '2026-11-23', '2026-11-24'),
    (3, 1, '{}', 'h3', '2026-11-23', '2026-11-24'), (4, 1, '{}', 'h4', '2026-11-01', '2026-11-02')`);
  await sdb.db.query(`INSERT INTO grade.lms_grade_quarantine (raw_id, load_id, reason, record) VALUES
    (1, 1, 'unparseable passback_params', '{"created_at": "2026-11-23 10:00:00"}'),
    (2, 1, 'unparseable passback_params', '{"created_at": "2026-11-23 11:00:00"}'),
    (3, 1, 'missing lti_user_id', '{"created_at": "2026-11-23 12:00:00"}'),
    (4, 1, 'missing lti_user_id', '{"created_at": "2026-11-01 12:00:00"}')`);
  smtp = await startSmtp();
});

afterAll(async () => {
  await smtp?.close();
  await sdb?.close();
});

/** A real project folder loaded like the CLI does (so its secrets are registered for masking). */
function project(email: Record<string, string>, files: Record<string, string> = {}, locale = "en") {
  const yml = [
    `locale: ${locale}`,
    "api:",
    `  client_key: ${CLIENT_KEY}`,
    SHIPPED_MODELS_YAML,
    "exports:",
    SHIPPED_EXPORTS_LINES,
    "  retries: 1",
    "  retry_delay_seconds: 0",
    "  email:",
    ...Object.entries(email).map(([k, v]) => `    ${k}: "${v}"`),
    ...(Object.keys(email).length === 0 ? ["    {}"] : []),
  ].join("\n");
  const dir = tempProject({ "project.yml": `${yml}\n`, ...files });
  const { config } = loadProject(dir, { env: {} });
  return { dir, ctx: { db: sdb.db, config, path: (p: string) => resolve(dir, p), projectDir: dir } };
}

const success: RunReport = {
  status: "success",
  runId: 42,
  window: { start: new Date("2026-11-23T00:00:00Z"), end: new Date("2026-11-24T00:00:00Z") },
  days: ["2026-11-23"],
  counts: { landed: 1234, loaded: 1200, quarantined: 3, duplicates: 31 },
  stages: [
    { name: "extract", status: "success", ms: 4200, detail: "1234 records" },
    { name: "model build", status: "success", ms: 850 },
  ],
  warnings: [
    notice("data_test", "audit not_null_user on lms_grade: 2 failing rows", {
      test: "not_null_user",
      model: "lms_grade",
      rows: 2,
      command: "elt test --select lms_grade",
    }),
  ],
};

describe("sendReportEmail against a local SMTP server", () => {
  it("sends the report to every recipient: subject, both bodies with the numbers, the chart", async () => {
    const { ctx } = project({
      smtp_url: smtp.url,
      from: "elt <elt@example.org>",
      to: "ops@example.org, analyst@example.org",
    });
    const result = await sendReportEmail(ctx, success);
    expect(result.status).toBe("sent");
    const got = smtp.received.at(-1);
    expect(got?.user).toBe("mailer");
    expect(got?.envelope.rcptTo.map((r) => r.address)).toEqual(["ops@example.org", "analyst@example.org"]);
    const mail = got?.mail;
    expect(mail?.subject).toBe("[elt] success 23 Nov 2026");
    expect(mail?.messageId).toBe(result.messageId);
    const day = summaryRow("2026-11-23", 14);
    const attempts = day.attempts.toLocaleString("en-US");
    const rate = `${((day.success_rate as number) * 100).toFixed(1)}%`;
    const html = String(mail?.html);
    for (const body of [mail?.text ?? "", html]) {
      expect(body).toContain(attempts);
      expect(body).toContain(rate);
      expect(body).toContain(String(day.unique_users));
      expect(body).toContain("1,234"); // landed
      expect(body).toContain("unparseable passback_params");
      // The data test's warning, with what to do (the test's name as code in the HTML).
      const plain = body.replace(/<[^>]+>/g, "").replace(/\s+/g, " ");
      expect(plain).toContain("Data test not_null_user: 2 failing rows.");
      expect(plain).toContain("See them with elt test --select lms_grade");
      // The report day against the day before (1,481) and the median of the 7 before (1,388.5).
      expect(plain).toMatch(/\+37 ?\(?\+2\.5%/);
      expect(plain).toMatch(/\+130 ?\(?\+9\.3%/);
      expect(body).toContain("4.2 s");
      // The run id, and where to see that run whole.
      expect(body).toContain("Run 42.");
      expect(body).toContain("elt status --run 42");
    }
    // The chart: 14 day labels, the tallest bar full height, an empty day without a bar, no <style>.
    for (const d of DAYS.slice(-14)) expect(html).toContain(`>${Number(d.slice(8))}<br>Nov<`);
    expect(html).not.toContain(`>${Number(DAYS[1]?.slice(8))}<br>Nov<`);
    expect(html).toContain("height:80px;background-color:#0969da");
    expect(html.match(/background-color:#80b9f2/g)).toHaveLength(12);
    expect(html).not.toMatch(/<style|class=/);
    expect(mail?.text).toMatch(/23 Nov {2}#{30} {2}1,518/);
    expect(mail?.text).toMatch(/20 Nov {2} {30} {2}0/);

    const { rows } = await sdb.db.query("SELECT kind, status, attempts, day, target FROM elt.exports");
    expect(rows).toContainEqual({
      kind: "email",
      status: "success",
      attempts: 1,
      day: "2026-11-23",
      target: `smtp://127.0.0.1:${smtp.port}`,
    });
  });

  it("writes the whole email in Russian by default: words, labels, numbers, dates, reasons", async () => {
    const { ctx } = project({ smtp_url: smtp.url, from: "elt@example.org", to: "ops@example.org" }, {}, "ru");
    await sendReportEmail(ctx, success);
    const mail = smtp.received.at(-1)?.mail;
    expect(mail?.subject).toBe("[elt] успешно 23.11.2026");
    const day = summaryRow("2026-11-23", 14);
    const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");
    const rate = `${((day.success_rate as number) * 100).toFixed(1).replace(".", ",")} %`;
    for (const raw of [mail?.text ?? "", String(mail?.html)]) {
      const body = nbsp(raw);
      expect(body).toContain("отчёт за 23.11.2026");
      expect(body).toContain("Показатели за 23.11.2026");
      expect(body).toContain("Попыток");
      expect(body).toContain(`1 ${String(day.attempts).slice(1)}`);
      expect(body).toContain(rate);
      expect(body).toContain("Записей загружено");
      expect(body).toContain("1 234");
      expect(body).toContain("загрузка из API");
      expect(body).toContain("успешно");
      expect(body).toContain("Запуск 42.");
      expect(body).toContain("23.11");
      expect(body).not.toMatch(/success_rate|unique_users|Attempts|Figures/);
    }
    const html = String(mail?.html);
    expect(html).toContain('<html lang="ru">');
  });

  it("sends the failure email: what failed, the error, the log tail; secrets masked", async () => {
    const logLines = Array.from(
      { length: 40 },
      (_, i) => `2026-11-24 03:00:${String(i).padStart(2, "0")}.000 INFO  line ${i}`,
    );
    logLines.push(
      `2026-11-24 03:01:00.000 ERROR GET https://api.example/stat?client_key=${CLIENT_KEY} failed`,
    );
    const { ctx } = project(
      { smtp_url: smtp.url, from: "elt@example.org", to: "ops@example.org" },
      { [`logs/${localDate()}.log`]: `${logLines.join("\n")}\n` },
    );
    const failed: RunReport = {
      ...success,
      status: "failed",
      stages: [
        { name: "extract", status: "failed", ms: 61000, detail: `HTTP 500 with key ${CLIENT_KEY}` },
        { name: "model build", status: "skipped", ms: 0 },
      ],
      error: `extract: API returned 500 for client_key ${CLIENT_KEY}; smtp ${smtp.url} <b>x</b>`,
    };
    await sendReportEmail(ctx, failed);
    const mail = smtp.received.at(-1)?.mail;
    expect(mail?.subject).toBe("[elt] failed 23 Nov 2026");
    const html = String(mail?.html);
    const text = mail?.text ?? "";
    for (const body of [text, html]) {
      expect(body).toContain("extract");
      expect(body).toContain("API returned 500");
      expect(body).toContain("line 39");
      expect(body).not.toContain("line 10 ");
      expect(body).not.toContain(CLIENT_KEY);
      expect(body).not.toContain("smtp-Pa55word");
      expect(body).toContain("***");
      expect(body).toContain("Run 42.");
      expect(body).toContain("elt status --run 42");
    }
    expect(text).toContain("line 11");
    expect(html).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(text).toContain("<b>x</b>");
  });

  it("a run that failed before the models built anything still gets its failure email", async () => {
    const { ctx } = project({ smtp_url: smtp.url, from: "elt@example.org", to: "ops@example.org" });
    await sdb.db.query("ALTER TABLE grade.daily_summary RENAME TO daily_summary_hidden");
    try {
      await sendReportEmail(ctx, {
        status: "failed",
        days: [],
        counts: {},
        stages: [],
        warnings: [],
        error: "boom",
      });
    } finally {
      await sdb.db.query("ALTER TABLE grade.daily_summary_hidden RENAME TO daily_summary");
    }
    const mail = smtp.received.at(-1)?.mail;
    const today = new Date().toLocaleDateString("en-GB", {
      day: "numeric",
      month: "short",
      year: "numeric",
      timeZone: "UTC",
    });
    expect(mail?.subject).toBe(`[elt] failed ${today}`);
    expect(mail?.text).toContain("boom");
    // With the summary there (its latest day 23 Nov), a run that knew no days is still today's.
    await sendReportEmail(ctx, {
      status: "failed",
      days: [],
      counts: {},
      stages: [],
      warnings: [],
      error: "boom",
    });
    expect(smtp.received.at(-1)?.mail.subject).toBe(`[elt] failed ${today}`);
  });

  it("an unreachable SMTP server: every attempt recorded, then EltError exit 1", async () => {
    const { ctx } = project({
      smtp_url: "smtp://mailer:hunter2-secret@127.0.0.1:1/?ignoreTLS=true",
      from: "elt@example.org",
      to: "ops@example.org",
    });
    const error = await sendReportEmail(ctx, { ...success, runId: 99 }).catch((e: unknown) => e);
    expect(isEltError(error) && error.exitCode).toBe(1);
    expect(String(error)).toMatch(/email export failed after 2 attempts: .*ECONNREFUSED/);
    expect(String(error)).not.toContain("hunter2-secret");
    const { rows } = await sdb.db.query<{ status: string; error: string }>(
      "SELECT status, error FROM elt.exports WHERE run_id = 99 ORDER BY id",
    );
    expect(rows.map((r) => r.status)).toEqual(["failed", "failed"]);
  });

  it("refused credentials are not retried", async () => {
    const { ctx } = project({
      smtp_url: smtp.url.replace("smtp-Pa55word", "wrong-password"),
      from: "elt@example.org",
      to: "ops@example.org",
    });
    const refused = smtp.refused;
    const error = await sendReportEmail(ctx, success).catch((e: unknown) => e);
    expect(isEltError(error) && error.exitCode).toBe(1);
    expect(smtp.refused).toBe(refused + 1);
    expect(String(error)).not.toContain("wrong-password");
  });

  it("without SMTP writes an .eml file, or is skipped; a project template overrides the default", async () => {
    const { ctx, dir } = project(
      { eml_path: "out/report.eml", to: "ops@example.org" },
      {
        "templates/report.txt.hbs":
          "Custom: {{day}} attempts {{#each headline.rows}}{{#if @first}}{{value}}{{/if}}{{/each}}\n",
      },
    );
    const result = await sendReportEmail(ctx, success);
    expect(result).toMatchObject({ status: "sent", file: join(dir, "out/report.eml") });
    const mail = await simpleParser(readFileSync(join(dir, "out/report.eml")));
    expect(mail.subject).toBe("[elt] success 23 Nov 2026");
    expect(mail.text?.trim()).toBe(
      `Custom: 23 Nov 2026 attempts ${summaryRow("x", 14).attempts.toLocaleString("en-US")}`,
    );
    expect(String(mail.html)).toContain("Figures for 23 Nov 2026"); // the default HTML template

    const none = project({});
    expect(await sendReportEmail(none.ctx, success)).toEqual({ status: "skipped" });
  });

  it("a broken project template is a configuration error (exit 2)", async () => {
    const { ctx } = project({ eml_path: "r.eml" }, { "templates/report.html.hbs": "{{#each}}" });
    const error = await sendReportEmail(ctx, success).catch((e: unknown) => e);
    expect(isEltError(error) && error.exitCode).toBe(2);
    expect(String(error)).toContain("report.html.hbs");
  });
});
