import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { simpleParser } from "mailparser";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../../src/config/load-project.ts";
import { TEXT_WIDTH, wrapText } from "../../src/export/render-email.ts";
import type { RunReport } from "../../src/export/run-report.ts";
import { sendReportEmail } from "../../src/export/send-email.ts";
import { notice } from "../../src/pipeline/notice.ts";
import { SHIPPED_EXPORTS_LINES, SHIPPED_MODELS_YAML, tempProject } from "../helpers/project.ts";
import { insertSummary, type SummaryDatabase, summaryDatabase, summaryRow } from "./summary-fixture.ts";

/**
 * The daily, backfill and failure emails as a recipient sees them: rendered by the real renderer
 * (sent to an .eml file and parsed back), opened in Debian's chromium through puppeteer-core at a
 * phone's 400 px and a desktop's 900 px: no horizontal scroll, the report day's figures shown; and
 * the text part keeps every line within 78 characters.
 */

const CHROMIUM = process.env.ELT_CHROMIUM ?? "/usr/bin/chromium";
const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const REPORT_DAY = "2026-11-23";
const LAST = Date.parse(`${REPORT_DAY}T00:00:00Z`);
/** 40 days ending on the report day, each with its own figures (the report day is n = 39). */
const ALL_DAYS = Array.from({ length: 40 }, (_, i) => isoDay(LAST - (39 - i) * DAY_MS));

let sdb: SummaryDatabase;
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  // Not a skip: a machine without the browser must not pass the suite unseen (.ci/run installs it).
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (or set ELT_CHROMIUM to a Chrome/Chromium binary)`,
    );
  }
  sdb = await summaryDatabase("email_layout");
  await insertSummary(
    sdb.db,
    ALL_DAYS.map((d, i) => summaryRow(d, i)),
  );
  await sdb.db.query(`INSERT INTO raw.api_attempts (id, load_id, record, record_hash, window_start, window_end)
    OVERRIDING SYSTEM VALUE VALUES (1, 1, '{}', 'h1', '2026-11-23', '2026-11-24')`);
  await sdb.db.query(`INSERT INTO grade.lms_grade_quarantine (raw_id, load_id, reason, record) VALUES
    (1, 1, 'unparseable passback_params', '{"created_at": "2026-11-23 10:00:00"}')`);
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--headless", "--disable-gpu"],
  });
  page = await browser.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await sdb?.close();
});

async function send(report: RunReport, locale: string): Promise<{ html: string; text: string }> {
  const yml = [
    `locale: ${locale}`,
    SHIPPED_MODELS_YAML,
    "exports:",
    SHIPPED_EXPORTS_LINES,
    "  email:",
    '    eml_path: "out/mail.eml"',
    '    to: "ops@example.org"',
  ].join("\n");
  const dir = tempProject({ "project.yml": `${yml}\n` });
  const { config } = loadProject(dir, { env: {} });
  const ctx = { db: sdb.db, config, path: (p: string) => resolve(dir, p), projectDir: dir };
  const result = await sendReportEmail(ctx, report);
  expect(result.status).toBe("sent");
  const mail = await simpleParser(readFileSync(join(dir, "out/mail.eml")));
  return { html: String(mail.html), text: mail.text ?? "" };
}

function report(days: string[], extra: Partial<RunReport> = {}): RunReport {
  const first = days[0] as string;
  const last = days.at(-1) as string;
  return {
    status: "success",
    runId: 7,
    window: {
      start: new Date(`${first}T00:00:00Z`),
      end: new Date(Date.parse(`${last}T00:00:00Z`) + DAY_MS),
    },
    days,
    counts: { landed: 123456, loaded: 123000, quarantined: 1, duplicates: 455 },
    stages: [
      { name: "extract", status: "success", ms: 4200, detail: "123456 records" },
      { name: "source checks", status: "success", ms: 300 },
      { name: "model build", status: "success", ms: 850 },
      { name: "sheets export", status: "success", ms: 1200 },
    ],
    warnings: [
      notice("data_test", "audit not_null_user on lms_grade: 2 failing rows", {
        test: "not_null_user",
        model: "lms_grade",
        rows: 2,
        command: "elt test --select lms_grade",
      }),
    ],
    ...extra,
  };
}

/** An audit failure as the pipeline reports it: the failing rows as JSON, one long line. */
const auditRows = Array.from({ length: 6 }, (_, i) =>
  JSON.stringify({
    raw_id: 9000 + i,
    lti_user_id: `user-${i}-0123456789abcdef0123456789abcdef`,
    passback_params:
      "{'oauth_consumer_key': '', 'lis_result_sourcedid': 'course-v1:SkillFactory+DST-3.0:lms.skillfactory.ru-b1:abc', 'lis_outcome_service_url': 'https://lms.skillfactory.ru/grade_handler'}",
  }),
).join(", ");
const AUDIT_ERROR = `model build: audit unique_attempt_id on grade.lms_grade failed (6 rows): [${auditRows}]`;

const dayFigures = (locale: "en" | "ru") => {
  const row = summaryRow(REPORT_DAY, 39);
  const n = (x: number) =>
    x.toLocaleString(locale === "en" ? "en-US" : "ru-RU").replace(/[\u00a0\u202f]/g, " ");
  return [n(row.attempts), n(row.unique_users), n(row.submits)];
};

async function expectFits(html: string, figures: string[]): Promise<void> {
  for (const width of [400, 900]) {
    await page.setViewport({ width, height: 800 });
    await page.setContent(html, { waitUntil: "load" });
    // Expressions evaluated in the page, as text: the project's TypeScript has no DOM types.
    const got = (await page.evaluate(
      "({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth, text: document.body.innerText })",
    )) as { scroll: number; inner: number; text: string };
    expect(got.scroll, `scrollWidth at ${width} px`).toBeLessThanOrEqual(got.inner);
    // Nothing spills out of its cell either (a label that cannot wrap, a date that will not fit).
    const spilled = await page.evaluate(
      "[...document.querySelectorAll('td')].filter((td) => td.scrollWidth > td.clientWidth + 1).map((td) => td.textContent.trim().slice(0, 40))",
    );
    expect(spilled, `cells overflowing at ${width} px`).toEqual([]);
    const text = got.text.replace(/[\u00a0\u202f]/g, " ");
    for (const f of figures) expect(text, `${f} at ${width} px`).toContain(f);
  }
}

function expectShortLines(text: string): void {
  const long = text.split("\n").filter((l) => l.length > TEXT_WIDTH);
  expect(long, long.join("\n")).toEqual([]);
}

describe("the emails on a phone and a desktop, and their text parts", () => {
  it("the daily email (3 days) fits at 400 and 900 px in both locales, text lines ≤ 78", async () => {
    for (const locale of ["en", "ru"] as const) {
      const { html, text } = await send(report(ALL_DAYS.slice(-3)), locale);
      await expectFits(html, dayFigures(locale));
      expectShortLines(text);
      expect(text.replace(/[\u00a0\u202f]/g, " ")).toContain(dayFigures(locale)[0]);
    }
  }, 60_000);

  it("the email after a 30-day backfill fits too and still shows the report day", async () => {
    for (const locale of ["en", "ru"] as const) {
      const { html, text } = await send(report(ALL_DAYS.slice(-30)), locale);
      await expectFits(html, dayFigures(locale));
      expectShortLines(text);
      expect(text.replace(/[\u00a0\u202f]/g, " ")).toContain(dayFigures(locale)[0]);
    }
  }, 60_000);

  it("the failure email with an audit's JSON rows fits, and its text wraps them", async () => {
    const failed = report(ALL_DAYS.slice(-1), {
      status: "failed",
      stages: [
        { name: "extract", status: "success", ms: 4200 },
        { name: "model build", status: "failed", ms: 900, detail: AUDIT_ERROR },
      ],
      error: AUDIT_ERROR,
    });
    for (const locale of ["en", "ru"] as const) {
      const { html, text } = await send(failed, locale);
      await expectFits(html, ["unique_attempt_id", "9005"]);
      expectShortLines(text);
      // Wrapped, not cut: every JSON row is still there.
      expect(text.replace(/\n\s*/g, "")).toContain('"raw_id":9005');
    }
  }, 60_000);
});

describe("wrapText", () => {
  it("breaks long lines at spaces, keeps their indent, cuts words longer than the width", () => {
    expect(wrapText("short\n  line", 78)).toBe("short\n  line");
    const wrapped = wrapText(`  ${"word ".repeat(30)}`.trimEnd(), 20).split("\n");
    for (const l of wrapped) expect(l.length).toBeLessThanOrEqual(20);
    expect(wrapped.every((l) => l.startsWith("  "))).toBe(true);
    expect(wrapped.join(" ").replace(/\s+/g, " ").trim()).toBe("word ".repeat(30).trim());
    const cut = wrapText("x".repeat(50), 20).split("\n");
    expect(cut.map((l) => l.length)).toEqual([20, 20, 10]);
  });
});
