// Write, audit, publish (issue 12): an analyst's change lets a bad batch through the grade model (a
// re-sent attempt twice in one batch, records with no user); the audits catch it before anything is
// visible. Every published relation and watermark stays byte-identical, the sheet is not touched,
// the run exits 1 with a failure mail naming the audits, the model, failing rows and raw ids; after
// the fix the same batch publishes; kill -9 between audit and publish leaves the old state.
import { spawn } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withProject } from "../../src/cli/project-context.ts";
import { loadProject } from "../../src/config/load-project.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { extract } from "../../src/extract/extract.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import type { RunOptions } from "../../src/pipeline/run-options.ts";
import { runPipeline } from "../../src/pipeline/run-pipeline.ts";
import { type Simulator, startSimulator } from "../../src/simulator/start-simulator.ts";
import { buildModels } from "../../src/transform/build-models.ts";
import { planProject } from "../../src/transform/plan-project.ts";
import { ELT_BIN } from "../helpers/cli.ts";
import { type FakeSheets, startFakeSheets } from "../helpers/fake-sheets.ts";
import { cloneDatabase, createTestDatabase, queryRows, type TestDatabase } from "../helpers/pg.ts";
import { emailYaml, tempProject } from "../helpers/project.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";

const day = (n: number) => new Date(Date.UTC(2024, 4, n));
const GRADE = "models/grade/lms_grade_statistics.sql";

let sim: Simulator;
let smtp: TestSmtp;
let sheets: FakeSheets;
let db: TestDatabase;
const extra: TestDatabase[] = [];
let dir: string;
let goodModel: string;

/** md5 of every relation the project publishes, the models' watermarks, and the build ledger size. */
async function published(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: relations } = await client.query<{ rel: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('grade', 'staging') AND c.relkind IN ('r', 'v') ORDER BY 1`,
    );
    const out: Record<string, string> = {};
    for (const { rel } of [...relations, { rel: "elt.model_state" }]) {
      const cols = rel === "elt.model_state" ? "model, watermark, updated_at" : "t";
      const { rows } = await client.query<{ m: string }>(
        `SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS m FROM (SELECT ${cols} FROM ${rel} AS t) AS x`,
      );
      out[rel] = String(rows[0]?.m);
    }
    return out;
  } finally {
    await client.end();
  }
}

async function run(options: RunOptions): Promise<{ status: string; email: string; subject: string }> {
  const before = smtp.received.length;
  let status = "success";
  try {
    await withProject({ "project-dir": dir }, {}, (ctx) => runPipeline(ctx, options));
  } catch (error) {
    if ((error as { code?: string }).code !== "RUN_FAILED") throw error;
    status = "failed";
  }
  const mail = smtp.received.slice(before).at(-1)?.mail;
  // The HTML part keeps each failing row on one line (the text part wraps at 78 columns).
  const html = typeof mail?.html === "string" ? mail.html : "";
  const text = html
    .replace(/<br\s*\/?>/g, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, "=")
    .replace(/&#x60;/g, "`")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
  return { status, email: text, subject: mail?.subject ?? "" };
}

beforeAll(async () => {
  [sim, smtp, sheets] = await Promise.all([
    startSimulator({ seed: 12, perDay: 300 }),
    startSmtp(),
    startFakeSheets(),
  ]);
  db = await createTestDatabase("wap");
  dir = tempProject({
    "project.yml": `
database: {url: "${db.url}"}
api: {url: "${sim.url}", client: demo, client_key: demo-key, timeout_seconds: 5, retries: 1, retry_base_delay_ms: 20}
logs: {level: error}
models:
  paths: [models]
  test_paths: [${join(PACKAGE_ROOT, "tests")}]
  macro_paths: [${join(PACKAGE_ROOT, "macros")}]
${emailYaml(smtp.url)}
    templates_dir: ${join(PACKAGE_ROOT, "templates")}
  sheets:
    credentials: ${sheets.credentialsFile}
    spreadsheet_id: ${sheets.spreadsheetId}
    root_url: ${sheets.url}
    worksheet: wap
`,
  });
  // The analyst's own copy of the models, to break and fix.
  cpSync(join(PACKAGE_ROOT, "models"), join(dir, "models"), { recursive: true });
  goodModel = readFileSync(join(dir, GRADE), "utf8");
  expect((await run({ start: day(1), end: day(4), now: day(20) })).status).toBe("success");
}, 120_000);

afterAll(async () => {
  await Promise.all([sim?.close(), smtp?.close(), sheets?.close()]);
  for (const d of extra) await d.drop().catch(() => {});
  await db?.drop();
});

describe("write, audit, publish", () => {
  it("a bad batch publishes nothing and says why; after the fix the same batch publishes", async () => {
    const sheetBefore = JSON.stringify(sheets.sheets.get("wap"));
    expect(sheetBefore).toContain("2024-05-03");

    // Day 4 lands, then the API re-sends some of its submits with another result: both versions
    // wait in the grade model's next batch.
    await withProject({ "project-dir": dir }, {}, async (ctx) => {
      await extract(ctx, { start: day(4), end: day(5) });
      sim.setFaults([{ kind: "flip", percent: 30, times: 1 }]);
      await extract(ctx, { start: day(4), end: day(5), force: true });
    });
    const [conflicts] = await queryRows<{ n: number }>(
      db.url,
      "SELECT count(*)::int AS n FROM raw.api_conflicts",
    );
    expect(conflicts?.n).toBeGreaterThan(0);
    // Views over raw show the new records at once; every built relation and watermark must not move.
    const before = await published(db.url);

    // The analyst's change drops the de-duplication and the quarantine filter.
    writeFileSync(
      join(dir, GRADE),
      goodModel
        .replace("SELECT DISTINCT ON (user_id, created_at)", "SELECT")
        .replace("WHERE reject_reason IS NULL", "WHERE true"),
    );
    const bad = await run({ start: day(4), end: day(5), now: day(20) });
    expect(bad.status).toBe("failed");
    expect(await published(db.url)).toEqual(before);
    expect(JSON.stringify(sheets.sheets.get("wap"))).toBe(sheetBefore);
    expect(bad.subject).toMatch(/fail/i);
    expect(bad.email).toContain("nothing published");
    expect(bad.email).toMatch(
      /audit unique_lms_grade_statistics_user_id__created_at on lms_grade_statistics \(batch\): fail, \d+ failing rows/,
    );
    expect(bad.email).toMatch(
      /audit not_null_lms_grade_statistics_\w+ on lms_grade_statistics \(batch\): fail/,
    );
    // Failing rows and the raw records they came from.
    expect(bad.email).toMatch(/raw ids: \d+/);
    const sample =
      bad.email.match(/audit not_null_lms_grade_statistics_\w+ [^\n]*\n((?: {4}\{[^\n]*\n)+)/)?.[1] ?? "";
    expect(sample.trim().split("\n").length).toBeGreaterThan(0);
    expect(sample.trim().split("\n").length).toBeLessThanOrEqual(5);
    expect(sample).toContain(":null,");
    // The ledger says so, with the run's id.
    const ledger = await queryRows<{ published: boolean; runs: number }>(
      db.url,
      `SELECT bool_or(published) AS published, count(DISTINCT run_id)::int AS runs FROM elt.model_runs
        WHERE run_id = (SELECT max(id) FROM elt.runs)`,
    );
    expect(ledger).toEqual([{ published: false, runs: 1 }]);

    // Fixed: the same batch (nothing new from the API) publishes, equal to a full rebuild.
    writeFileSync(join(dir, GRADE), goodModel);
    const fixed = await run({ start: day(4), end: day(5), now: day(20) });
    expect(fixed.status).toBe("success");
    expect(JSON.stringify(sheets.sheets.get("wap"))).toContain("2024-05-04");
    const after = await published(db.url);
    expect(after["grade.lms_grade_statistics"]).not.toBe(before["grade.lms_grade_statistics"]);
    const rebuilt = await cloneDatabase(db, "wap_full");
    extra.push(rebuilt);
    const other = await openDatabase({ url: rebuilt.url, embeddedDir: "" });
    try {
      const { config } = loadProject(dir);
      const full = await buildModels(other, planProject({ projectDir: dir, config }), { fullRefresh: true });
      expect(full.published).toBe(true);
    } finally {
      await other.close();
    }
    const fullState = await published(rebuilt.url);
    // (The quarantine keeps when each row was quarantined: a rebuild differs there by design.)
    for (const rel of Object.keys(after).filter((r) => r.startsWith("grade.") && !r.endsWith("_quarantine")))
      expect([rel, fullState[rel]]).toEqual([rel, after[rel]]);
  }, 120_000);

  it("kill -9 between the audits and the publish leaves the old state", async () => {
    writeFileSync(join(dir, GRADE), goodModel);
    await withProject({ "project-dir": dir }, {}, (ctx) => extract(ctx, { start: day(5), end: day(6) }));
    const before = await published(db.url);
    // The publish writes the ledger in its transaction: holding that table stops it right there.
    const holder = new pg.Client({ connectionString: db.url });
    const watcher = new pg.Client({ connectionString: db.url });
    await Promise.all([holder.connect(), watcher.connect()]);
    const holderPid = (await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
    await holder.query("BEGIN");
    await holder.query("LOCK TABLE elt.model_runs IN SHARE MODE");
    const child = spawn(process.execPath, [ELT_BIN, "model", "build", "--project-dir", dir], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.stdout.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    try {
      let waiting = false;
      for (let i = 0; i < 300 && !waiting; i++) {
        // Not on the holder: inside a transaction, pg_stat_activity stays as first read.
        const rows = await watcher.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO elt.model_runs%'`,
        );
        waiting = (rows.rows[0]?.n ?? 0) > 0;
        if (!waiting) await new Promise((r) => setTimeout(r, 100));
      }
      const activity = waiting
        ? []
        : (
            await watcher.query(
              "SELECT state, wait_event_type, left(query, 80) AS q FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
          ).rows;
      expect([waiting, stderr, activity]).toEqual([true, "", []]);
      // The audits ran (and passed) before the publish was reached.
      child.kill("SIGKILL");
      await exited;
    } finally {
      await holder.query("ROLLBACK");
    }
    // The server notices the dead client once the lock is free, and rolls its transaction back.
    for (let i = 0; i < 100; i++) {
      const rows = await watcher.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), $1) AND backend_type = 'client backend'",
        [holderPid],
      );
      if (rows.rows[0]?.n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all([holder.end(), watcher.end()]);
    expect(await published(db.url)).toEqual(before);
  }, 60_000);
});
