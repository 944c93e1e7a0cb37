/**
 * `npm run preview:email`: the emails as a reader sees them, without a database or a mail server.
 * Renders the daily, backfill and failure emails of the shipped project from a fixture summary
 * (scripts/email-preview/fixture.ts) in each locale with the real view and templates, and writes to
 * target/email-preview/: each email's HTML and text part, the backfill's attached CSV, and
 * screenshots of the HTML at 400 px (a phone) and 900 px (a desktop) taken in Debian's chromium
 * (ELT_CHROMIUM overrides the path) through puppeteer-core.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import puppeteer from "puppeteer-core";
import { loadProject } from "../src/config/load-project.ts";
import type { Queryable } from "../src/db/database.ts";
import { emailView } from "../src/export/email-view.ts";
import { exportColumns } from "../src/export/export-columns.ts";
import { exportedModel } from "../src/export/exported-model.ts";
import type { Locale } from "../src/export/locale.ts";
import { loadMessages } from "../src/export/messages.ts";
import { renderEmail } from "../src/export/render-email.ts";
import { summaryCsv } from "../src/export/summary-csv.ts";
import { PACKAGE_ROOT } from "../src/package-root.ts";
import { planProject } from "../src/transform/plan-project.ts";
import { FIXTURE_REPORTS, fixtureData, REPORT_DAY } from "./email-preview/fixture.ts";

const out = join(PACKAGE_ROOT, "target", "email-preview");
const chromium = process.env.ELT_CHROMIUM ?? "/usr/bin/chromium";
const WIDTHS = [400, 900];
const LOG_TAIL = [
  "2026-12-03 02:15:02.114 INFO  run 1289 started",
  "2026-12-03 02:15:06.402 INFO  extract: done 2631 records in 2 windows (4.2 s)",
  "2026-12-03 02:15:08.031 ERROR model build: nothing published (every model's relation keeps its last good state)",
];

// The exporters would read the database; the preview reads the fixture, so any query is a bug here.
const noDatabase = {
  query: () => Promise.reject(new Error("the email preview has no database")),
} as unknown as Queryable;

const { config: shipped } = loadProject(PACKAGE_ROOT, { env: {} });
const plan = planProject({ projectDir: PACKAGE_ROOT, config: shipped });
const model = exportedModel({
  db: noDatabase,
  config: shipped,
  path: (p) => resolve(PACKAGE_ROOT, p),
  projectDir: PACKAGE_ROOT,
  plan,
});
const columns = exportColumns(
  model,
  model.declared.map((c) => c.name),
  shipped.exports.sheets.columns,
);
const templatesDir = resolve(PACKAGE_ROOT, shipped.exports.email.templates_dir);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const pages: { file: string; html: string }[] = [];
for (const locale of ["ru", "en"] as Locale[]) {
  const config = { ...shipped, locale };
  const messages = loadMessages(templatesDir, locale);
  for (const [kind, report] of Object.entries(FIXTURE_REPORTS)) {
    const data = fixtureData(report, columns);
    const view = emailView(config, report, data, kind === "failure" ? LOG_TAIL : [], messages);
    const { html, text } = renderEmail(templatesDir, kind === "failure" ? "failure" : "report", view);
    const name = `${locale}-${kind}`;
    writeFileSync(join(out, `${name}.html`), html);
    writeFileSync(join(out, `${name}.txt`), text);
    if (view.attachment) {
      const rows = data.summary.filter((r) => String(r[columns[0]?.name ?? ""]) <= REPORT_DAY);
      writeFileSync(join(out, `${name}-${view.attachment}`), summaryCsv(columns, rows, locale));
    }
    pages.push({ file: name, html });
  }
}
console.log(`written: ${out}/*.html, *.txt (and the backfill's attached CSV)`);

if (!existsSync(chromium)) {
  console.error(
    `chromium is not installed at ${chromium}: apt-get install -y chromium (or set ELT_CHROMIUM)`,
  );
  process.exit(1);
}
const browser = await puppeteer.launch({
  executablePath: chromium,
  args: ["--no-sandbox", "--headless", "--disable-gpu"],
});
try {
  const page = await browser.newPage();
  for (const { file, html } of pages) {
    for (const width of WIDTHS) {
      await page.setViewport({ width, height: 800 });
      await page.setContent(html, { waitUntil: "load" });
      const path = join(out, `${file}-${width}.png`) as `${string}.png`;
      await page.screenshot({ path, fullPage: true });
      console.log(`written: ${path}`);
    }
  }
} finally {
  await browser.close();
}
