import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type ParsedMail, simpleParser } from "mailparser";
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
 * The daily, backfill and failure emails as a recipient sees them, in both locales: rendered by the
 * real renderer (written to an .eml file and parsed back), opened in Debian's chromium through
 * puppeteer-core at a phone's 400 px and a desktop's 900 px. No horizontal scroll and no cell that
 * spills; the report day's figures in the locale's formats; no raw column name or ISO date outside
 * what is shown as code; the partial day never shown as a complete one; a backfill's table at most
 * 6 days with the window attached as a CSV; warnings (a data test, a quarantine spike) at the top;
 * and the text part keeps every line within 78 characters.
 */

const CHROMIUM = process.env.ELT_CHROMIUM ?? "/usr/bin/chromium";
const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const REPORT_DAY = "2026-11-23";
const LAST = Date.parse(`${REPORT_DAY}T00:00:00Z`);
/** The day after: a nightly run at 02:15 fetched two hours of it. */
const PARTIAL_DAY = isoDay(LAST + DAY_MS);
/** 40 days ending on the report day, each with its own figures (the report day is n = 39). */
const ALL_DAYS = Array.from({ length: 40 }, (_, i) => isoDay(LAST - (39 - i) * DAY_MS));
/** The partial day's figures stand out (n = 100): they must not appear as a day's. */
const PARTIAL_N = 100;
/** The exported model's column names: none may reach a reader. */
const COLUMN_NAMES = Object.keys(summaryRow(REPORT_DAY, 0));

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
  await insertSummary(sdb.db, [
    ...ALL_DAYS.map((d, i) => summaryRow(d, i)),
    summaryRow(PARTIAL_DAY, PARTIAL_N),
  ]);
  // The quarantine: one record of bad_created_at a day for a week, then 40 records with a reason
  // never seen before on the report day: a spike. Each landed in the report day's window.
  await sdb.db.query(`INSERT INTO raw.api_attempts (id, load_id, record, record_hash, window_start, window_end)
    OVERRIDING SYSTEM VALUE
    SELECT g, 1, '{}'::jsonb, 'h' || g, '${REPORT_DAY}', '${PARTIAL_DAY}' FROM generate_series(1, 47) AS g`);
  await sdb.db.query(`INSERT INTO grade.lms_grade_quarantine (raw_id, load_id, reason, record, created_at_text)
    SELECT g, 1, 'bad_created_at', '{}'::jsonb, to_char('${REPORT_DAY}'::date - g, 'YYYY-MM-DD') || ' 10:00:00'
      FROM generate_series(1, 7) AS g
    UNION ALL
    SELECT g, 1, 'missing_oauth_consumer_key', '{}'::jsonb, '${REPORT_DAY} 10:00:00' FROM generate_series(8, 47) AS g`);
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

type Locale = "ru" | "en";

async function send(
  report: RunReport,
  locale: Locale,
): Promise<{ html: string; text: string; mail: ParsedMail }> {
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
  return { html: String(mail.html), text: mail.text ?? "", mail };
}

/** A nightly run at 02:15: its window ends two hours into the day after the last it covers whole. */
function report(days: string[], extra: Partial<RunReport> = {}): RunReport {
  const first = days[0] as string;
  return {
    status: "success",
    runId: 1207,
    window: {
      start: new Date(`${first}T00:00:00Z`),
      end: new Date(`${PARTIAL_DAY}T02:15:00Z`),
    },
    days: [...days, PARTIAL_DAY],
    counts: { landed: 123456, loaded: 123000, quarantined: 47, duplicates: 409 },
    stages: [
      {
        name: "extract",
        status: "success",
        ms: 4200,
        detail: "123456 records in 2 windows, 123000 new, 456 already landed",
        note: { code: "extract", values: { records: 123456, windows: 2, inserted: 123000, duplicates: 456 } },
      },
      { name: "source checks", status: "success", ms: 300 },
      { name: "model build", status: "success", ms: 850 },
      {
        name: "sheets export",
        status: "success",
        ms: 1200,
        detail: "31 rows to sheet",
        note: { code: "sheets", values: { rows: 31, target: "sheet" } },
      },
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

/** Numbers as the locale writes them, with plain spaces (the email's are no-break ones). */
const formats = (locale: Locale) => {
  const tag = locale === "en" ? "en-US" : "ru-RU";
  return {
    integer: (x: number) => x.toLocaleString(tag).replace(/[\u00a0\u202f]/g, " "),
    percent: (x: number) =>
      locale === "en" ? `${(x * 100).toFixed(1)}%` : `${(x * 100).toFixed(1).replace(".", ",")} %`,
    day: (iso: string) =>
      locale === "en"
        ? new Date(`${iso}T00:00:00Z`).toLocaleDateString("en-GB", {
            day: "numeric",
            month: "short",
            year: "numeric",
            timeZone: "UTC",
          })
        : iso.split("-").reverse().join("."),
    short: (iso: string) =>
      locale === "en"
        ? new Date(`${iso}T00:00:00Z`).toLocaleDateString("en-GB", {
            day: "numeric",
            month: "short",
            timeZone: "UTC",
          })
        : iso.slice(5).split("-").reverse().join("."),
  };
};

/** The report day's figures as the email writes them: what a reader looks for first. */
function dayFigures(locale: Locale): string[] {
  const row = summaryRow(REPORT_DAY, 39);
  const f = formats(locale);
  return [
    f.day(REPORT_DAY),
    f.integer(row.attempts),
    f.integer(row.unique_users),
    f.integer(row.submits),
    f.percent(row.success_rate as number),
  ];
}

interface Seen {
  /** All visible text, no-break spaces as plain ones. */
  text: string;
  /** The visible text without what is shown as code (commands, identifiers) or preformatted (errors, logs). */
  prose: string;
  /** The visible text as it is (its no-break spaces kept). */
  raw: string;
  /** The text of each table cell holding no table, its lines joined by a space. */
  cells: string[];
}

/** The HTML at 400 and 900 px: fits, nothing spills; what the reader sees at each width. */
async function look(html: string): Promise<Seen> {
  // Within what common mail clients keep: inline styles, no scripts, nothing fetched, no class
  // rules, and no fixed width a phone cannot hold.
  expect(html).not.toMatch(/<script|<style|<link|<img|class=|url\(|src="http/i);
  const wide = html.match(/(?<![-\w])width(?:="|:\s*)(\d+)(?:px|")/g) ?? [];
  expect(wide.filter((w) => Number(/\d+/.exec(w)?.[0]) > 300)).toEqual([]);
  let seen: Seen | undefined;
  for (const width of [400, 900]) {
    await page.setViewport({ width, height: 800 });
    await page.setContent(html, { waitUntil: "load" });
    // Expressions evaluated in the page, as text: the project's TypeScript has no DOM types.
    const got = (await page.evaluate(`({
      scroll: document.documentElement.scrollWidth,
      inner: window.innerWidth,
      text: document.body.innerText,
      prose: (() => {
        const b = document.body.cloneNode(true);
        b.querySelectorAll("code, pre").forEach((e) => e.remove());
        return b.textContent;
      })(),
      cells: [...document.querySelectorAll("td")]
        .filter((td) => !td.querySelector("td"))
        .map((td) => td.innerText.replace(/\\s+/g, " ").trim()),
    })`)) as { scroll: number; inner: number; text: string; prose: string; cells: string[] };
    expect(got.scroll, `scrollWidth at ${width} px`).toBeLessThanOrEqual(got.inner);
    // Nothing spills out of its cell either (a label that cannot wrap, a date that will not fit).
    const spilled = await page.evaluate(
      "[...document.querySelectorAll('td')].filter((td) => td.scrollWidth > td.clientWidth + 1).map((td) => td.textContent.trim().slice(0, 40))",
    );
    expect(spilled, `cells overflowing at ${width} px`).toEqual([]);
    const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");
    seen = {
      text: plain(got.text),
      prose: plain(got.prose).replace(/\s+/g, " "),
      raw: got.text,
      cells: got.cells.map(plain),
    };
  }
  return seen as Seen;
}

/** What every email must show and must not: the locale's formats, no column names, no ISO dates. */
function expectReadable(seen: Seen, locale: Locale): void {
  // In English a column named `day` or `attempts` is also a word: only the Russian email has none.
  for (const name of COLUMN_NAMES.filter((n) => locale === "ru" || n.includes("_"))) {
    expect(seen.prose, `column name ${name}`).not.toMatch(new RegExp(`\\b${name}\\b`));
  }
  // Identifiers (snake_case) only as code: a reader sees words, and a command to copy.
  expect(seen.prose.match(/\b[a-z][a-z0-9]*_[a-z0-9_]+\b/g) ?? []).toEqual([]);
  expect(seen.prose).not.toMatch(/\b\d{4}-\d{2}-\d{2}\b/);
  expect(seen.prose).not.toContain("`");
  if (locale === "ru") {
    expect(seen.prose).not.toMatch(/\d\.\d+ ?%|\d,\d{3}\b/);
    // Groups and the percent sign are set off by (narrow) no-break spaces: never broken apart.
    expect(seen.raw).toMatch(/\d[\u00a0\u202f]\d{3}/);
  } else {
    expect(seen.prose).not.toMatch(/\d,\d+ ?%|\d \d{3}\b/);
  }
}

function expectShortLines(text: string): void {
  const long = text.split("\n").filter((l) => l.length > TEXT_WIDTH);
  expect(long, long.join("\n")).toEqual([]);
}

const plainText = (text: string) => text.replace(/[\u00a0\u202f]/g, " ");

describe("the emails on a phone and a desktop, and their text parts", () => {
  it.each(["ru", "en"] as const)(
    "%s: the daily email is about the report day, partial day left out",
    async (locale) => {
      const { html, text, mail } = await send(report(ALL_DAYS.slice(-1)), locale);
      const seen = await look(html);
      const f = formats(locale);
      for (const figure of dayFigures(locale)) {
        expect(seen.text, figure).toContain(figure);
        expect(plainText(text), figure).toContain(figure);
      }
      // Each figure with its change from the day before (+37 attempts a day in the fixture).
      expect(seen.prose).toMatch(/\+37\b/);
      expect(plainText(text)).toMatch(/\+37 \(\+[\d.,]+ ?%\)/);
      expectReadable(seen, locale);
      expectShortLines(text);
      // The partial day: named as left out, its figures nowhere; the chart ends on the report day.
      const partial = summaryRow(PARTIAL_DAY, PARTIAL_N);
      expect(seen.text).toContain(f.day(PARTIAL_DAY));
      expect(seen.text).not.toContain(f.integer(partial.attempts));
      expect(plainText(text)).not.toContain(f.integer(partial.attempts));
      expect(seen.cells).not.toContain(f.short(PARTIAL_DAY));
      // One complete day: the headline is the table; nothing attached.
      expect(mail.attachments).toEqual([]);
      // The warnings come first, before the figures: the data test and the quarantine's spike.
      const words =
        locale === "ru"
          ? {
              warn: "Обратите внимание",
              figures: "Показатели за",
              spike: "Карантин за",
              todo: "Что сделать:",
            }
          : { warn: "Warnings", figures: "Figures for", spike: "Quarantine on", todo: "What to do:" };
      const at = (s: string) => seen.text.indexOf(s);
      expect(at(words.warn)).toBeGreaterThan(-1);
      expect(at(words.warn)).toBeLessThan(at(words.figures));
      expect(at(words.spike)).toBeGreaterThan(-1);
      expect(at(words.spike)).toBeLessThan(at(words.figures));
      expect(seen.text.split(words.todo).length - 1).toBe(2);
      expect(seen.text).toContain("missing_oauth_consumer_key");
    },
    60_000,
  );

  it.each(["ru", "en"] as const)(
    "%s: after a 30-day backfill, 6 days in the table, the window attached",
    async (locale) => {
      const window = ALL_DAYS.slice(-30);
      const { html, text, mail } = await send(report(window), locale);
      const seen = await look(html);
      const f = formats(locale);
      for (const figure of dayFigures(locale)) expect(seen.text, figure).toContain(figure);
      expectReadable(seen, locale);
      expectShortLines(text);
      // The table's days are the last 6 (headed as the chart labels them); the 8 before them only in
      // the 14-day chart; older ones nowhere. The day before the report day also heads its change.
      const count = (d: string) => seen.cells.filter((c) => c === f.short(d)).length;
      expect(count(REPORT_DAY)).toBe(3); // the headline's column too
      for (const d of window.slice(-6, -1)) expect(count(d), d).toBe(2);
      for (const d of window.slice(-14, -6)) expect(count(d), d).toBe(1);
      for (const d of window.slice(0, -14)) expect(count(d), d).toBe(0);
      expect(seen.cells.filter((c) => c.endsWith(` ${f.short(window.at(-2) as string)}`))).toHaveLength(1);
      // The whole window (up to the report day) attached, for the locale's spreadsheet programs.
      expect(mail.attachments).toHaveLength(1);
      const csv = mail.attachments[0];
      expect(csv?.filename).toBe(`elt_${window[0]}_${REPORT_DAY}.csv`);
      expect(seen.text).toContain(csv?.filename);
      const lines = csv?.content.toString("utf8").split("\r\n").filter(Boolean) ?? [];
      expect(lines[0]?.startsWith("\uFEFF")).toBe(true);
      expect(lines).toHaveLength(31);
      const row = summaryRow(REPORT_DAY, 39);
      const rate = ((row.success_rate as number) * 100).toFixed(2).replace(/\.?0+$/, "");
      if (locale === "ru") {
        expect(lines[0]).toMatch(/^\uFEFFДата;Попыток;/);
        expect(lines.at(-1)).toMatch(
          new RegExp(`^23\\.11\\.2026;${row.attempts};.*;${rate.replace(".", ",")}%;`),
        );
      } else {
        expect(lines[0]).toMatch(/^\uFEFFDate,Attempts,/);
        expect(lines.at(-1)).toMatch(new RegExp(`^2026-11-23,${row.attempts},.*,${rate}%,`));
      }
      expect(lines.join("\n")).not.toContain(PARTIAL_DAY);
    },
    60_000,
  );

  it.each(["ru", "en"] as const)(
    "%s: the failure email with an audit's JSON rows fits, its text wraps them",
    async (locale) => {
      const failed = report(ALL_DAYS.slice(-1), {
        status: "failed",
        stages: [
          { name: "extract", status: "success", ms: 4200 },
          { name: "model build", status: "failed", ms: 900, detail: AUDIT_ERROR },
        ],
        error: AUDIT_ERROR,
      });
      const { html, text, mail } = await send(failed, locale);
      const seen = await look(html);
      expect(seen.text).toContain("unique_attempt_id");
      expect(seen.text).toContain("9005");
      expect(seen.text).toContain(formats(locale).day(REPORT_DAY));
      expectReadable(seen, locale);
      expectShortLines(text);
      // Wrapped, not cut: every JSON row is still there.
      expect(text.replace(/\n\s*/g, "")).toContain('"raw_id":9005');
      expect(mail.attachments).toEqual([]);
    },
    60_000,
  );
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

  it("continues a bulleted line under its text", () => {
    const wrapped = wrapText(`  ! ${"word ".repeat(12)}`.trimEnd(), 24).split("\n");
    expect(wrapped[0]?.startsWith("  ! word")).toBe(true);
    expect(wrapped.slice(1).every((l) => l.startsWith("    word"))).toBe(true);
  });
});
