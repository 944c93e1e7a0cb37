// The reliability suite of `elt run` (issue 6): the real binary against real PostgreSQL, the API
// simulator, a local Sheets fake and a local SMTP server. Each case compares the grade table with
// the one a clean run produced from the same simulated window.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDate } from "../../src/log/timestamp.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import { countAttempts } from "../../src/simulator/generate-attempts.ts";
import { type Simulator, startSimulator } from "../../src/simulator/start-simulator.ts";
import { type CliResult, runElt } from "../helpers/cli.ts";
import { type FakeSheets, startFakeSheets } from "../helpers/fake-sheets.ts";
import { holdAdvisoryLock, waitForLog } from "../helpers/overlap.ts";
import { ADMIN_URL, createTestDatabase, queryRows, type TestDatabase } from "../helpers/pg.ts";
import { SHIPPED_EXPORTS_LINES, tempProject } from "../helpers/project.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";

const CLIENT_KEY = "Cl1ent-K3y-0f-the-vendor";
const DB_PASSWORD = "Db-Pa55word-n0t-needed";
const WINDOW = ["--start", "2026-11-10", "--end", "2026-11-12"];
const SEED = 11;
const PER_DAY = 1500;

let sim: Simulator;
let sheets: FakeSheets;
let smtp: TestSmtp;
const databases: TestDatabase[] = [];
const projects: string[] = [];
const outputs: CliResult[] = [];
let reference: { grade: unknown[]; raw: number };

async function database(prefix: string): Promise<TestDatabase & { secretUrl: string }> {
  const db = await createTestDatabase(`rel_${prefix}`);
  databases.push(db);
  const url = new URL(db.url);
  url.password = DB_PASSWORD; // trust auth ignores it; it must still never be printed
  return { ...db, secretUrl: url.toString() };
}

function project(
  dbUrl: string,
  worksheet: string,
  options: { retries?: number; lockTimeout?: number; extractStart?: string } = {},
): string {
  const dir = tempProject({
    "project.yml": `
database:
  url: "${dbUrl}"
  lock_timeout_seconds: ${options.lockTimeout ?? 120}
api:
  url: ${sim.url}
  client: demo
  client_key: ${CLIENT_KEY}
  timeout_seconds: 2
  retries: ${options.retries ?? 10}
  retry_max_delay_seconds: 1
${options.extractStart ? `extract:\n  start: "${options.extractStart}"\n` : ""}models:
  paths: [${join(PACKAGE_ROOT, "models")}]
  test_paths: [${join(PACKAGE_ROOT, "tests")}]
  macro_paths: [${join(PACKAGE_ROOT, "macros")}]
exports:
${SHIPPED_EXPORTS_LINES}
  retries: 0
  sheets:
    credentials: ${sheets.credentialsFile}
    spreadsheet_id: ${sheets.spreadsheetId}
    root_url: ${sheets.url}
    worksheet: ${worksheet}
  email:
    smtp_url: "${smtp.url}"
    from: elt@example.org
    to: ops@example.org, lead@example.org
`,
  });
  projects.push(dir);
  return dir;
}

/** The real binary; not awaited, it runs while the test acts. */
async function elt(dir: string, args: string[]): Promise<CliResult> {
  const result = await runElt([...args, "--project-dir", dir], { timeoutMs: 240_000 });
  outputs.push(result);
  return result;
}

const query = queryRows;

const gradeRows = (url: string) =>
  query(
    url,
    `SELECT user_id, oauth_consumer_key, lis_result_sourcedid, lis_outcome_service_url, is_correct,
            attempt_type, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS.US') AS created_at
       FROM grade.lms_grade_statistics ORDER BY user_id, created_at`,
  );
const rawCount = async (url: string) =>
  Number((await query<{ n: string }>(url, "SELECT count(*) AS n FROM raw.api_attempts"))[0]?.n);

const logOf = (dir: string) => readFileSync(join(dir, "logs", `${localDate()}.log`), "utf8");

/** Waits until `sql` (run on the admin connection) returns a row, then returns it. */
async function waitForRow<R>(sql: string, params: unknown[], timeoutMs = 60_000): Promise<R> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const rows = await query<R>(ADMIN_URL, sql, params);
    if (rows[0]) return rows[0];
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for: ${sql}`);
}

beforeAll(async () => {
  [sim, sheets, smtp] = await Promise.all([
    startSimulator({ seed: SEED, perDay: PER_DAY, clientKey: CLIENT_KEY }),
    startFakeSheets(),
    startSmtp(),
  ]);
  const ref = await database("ref");
  const dir = project(ref.secretUrl, "reference");
  const result = await elt(dir, ["run", ...WINDOW]);
  expect(result.code, result.stderr).toBe(0);
  reference = { grade: await gradeRows(ref.url), raw: await rawCount(ref.url) };
}, 300_000);

afterAll(async () => {
  await Promise.all([sim?.close(), sheets?.close(), smtp?.close()]);
  for (const db of databases) await db.drop();
});

describe("elt run: reliability", () => {
  it("a clean run: rows, counts that add up, the sheet, the email, the ledger", async () => {
    expect(reference.raw).toBeGreaterThan(2500);
    expect(reference.grade.length).toBeGreaterThan(2000);
    const ref = databases[0] as TestDatabase;
    const [run] = await query<{ status: string; counts: Record<string, number>; stages: { name: string }[] }>(
      ref.url,
      "SELECT status, counts, stages FROM elt.runs ORDER BY id DESC LIMIT 1",
    );
    expect(run?.status).toBe("success");
    const c = run?.counts ?? {};
    expect(c.landed).toBe(reference.raw);
    expect((c.loaded ?? 0) + (c.quarantined ?? 0) + (c.duplicates ?? 0)).toBe(c.landed);
    expect(c.quarantined).toBeGreaterThan(0); // the simulator sends some malformed records
    expect(run?.stages.map((s) => s.name)).toEqual([
      "compile models",
      "extract",
      "source checks",
      "model build",
      "sheets export",
      "email",
    ]);
    const sheet = sheets.sheets.get("reference") ?? [];
    expect(sheet.map((r) => r[0])).toEqual(["Дата", "2026-11-10", "2026-11-11"]);
    const mail = smtp.received.find((m) => m.mail.subject?.includes("11.11.2026"));
    expect(mail?.mail.subject).toMatch(/успешно/);
    expect(mail?.envelope.rcptTo.map((r) => r.address).sort()).toEqual([
      "lead@example.org",
      "ops@example.org",
    ]);
    const status = await elt(projects[0] as string, ["status", "--json"]);
    expect(status.code, status.stderr).toBe(0);
    const parsed = JSON.parse(status.stdout) as {
      runs: { status: string; counts: { landed: number } }[];
      extractWatermark: string | null;
      models: { model: string; watermark: number }[];
    };
    expect(parsed.runs[0]).toMatchObject({ status: "success", counts: { landed: reference.raw } });
    expect(parsed.extractWatermark).toBeNull(); // a backfill never moves the incremental watermark
    expect(parsed.models.map((m) => m.model)).toContain("lms_grade_statistics");
    const table = await elt(projects[0] as string, ["status"]);
    expect(table.stdout).toMatch(/^run +started \(UTC\) +status/);
    expect(table.stdout).toMatch(/success .*2026-11-10 00:00:00 → 2026-11-12 00:00:00/);
    expect(table.stdout).toMatch(/extract watermark: no incremental extract yet \(backfills only\)/);
    const log = logOf(projects[0] as string);
    for (const line of [
      /INFO +elt run --start 2026-11-10 --end 2026-11-12 --project-dir \S+: started/,
      /INFO +database connected/,
      /INFO +run \d+ started/,
      /INFO +download .* done: \d+ records/,
      /INFO +model .*lms_grade_statistics.*success/,
      /INFO +summary written to Google Sheets/,
      /INFO +email sent/,
      /INFO +run \d+ finished: success/,
      /INFO +database connection closed/,
    ]) {
      expect(log).toMatch(line);
    }
  });

  it("every transient API fault is retried and the rows are exactly right", async () => {
    const db = await database("transient");
    const dir = project(db.secretUrl, "transient");
    sim.setFaults([
      { kind: "status", status: 429, retryAfter: 1, times: 1 },
      { kind: "status", status: 500, times: 1 },
      { kind: "status", status: 502, times: 1 },
      { kind: "status", status: 503, times: 1 },
      { kind: "reset", times: 1 },
      { kind: "abort", times: 1 },
      { kind: "truncate", times: 1 },
      { kind: "html", times: 1 },
      { kind: "delay", ms: 3000, times: 1 },
    ]);
    const result = await elt(dir, ["run", ...WINDOW]);
    sim.setFaults([]);
    expect(result.code, result.stderr).toBe(0);
    expect(await gradeRows(db.url)).toEqual(reference.grade);
    expect(await rawCount(db.url)).toBe(reference.raw);
  }, 300_000);

  it("a permanent API failure fails clean, and the next run catches up", async () => {
    const db = await database("permanent");
    const dir = project(db.secretUrl, "permanent", { retries: 2 });
    const before = smtp.received.length;
    sim.setFaults([{ kind: "status", status: 503 }]);
    const failed = await elt(dir, ["run", ...WINDOW]);
    sim.setFaults([]);
    expect(failed.code).toBe(1);
    expect(logOf(dir)).toMatch(/ERROR .*503/);
    expect(await rawCount(db.url)).toBe(0);
    const failureMail = smtp.received.slice(before).find((m) => /ошибка/.test(m.mail.subject ?? ""));
    expect(failureMail?.mail.text).toMatch(/503/);
    expect(sheets.sheets.get("permanent")).toBeUndefined();
    const [run] = await query<{ status: string }>(
      db.url,
      "SELECT status FROM elt.runs ORDER BY id DESC LIMIT 1",
    );
    expect(run?.status).toBe("failed");

    const again = await elt(dir, ["run", ...WINDOW]);
    expect(again.code, again.stderr).toBe(0);
    expect(await gradeRows(db.url)).toEqual(reference.grade);
  }, 300_000);

  it("incremental nights: a night that failed for good is caught up by the next, exactly", async () => {
    const db = await database("incremental");
    const start = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 30 * 3_600_000);
    const dir = project(db.secretUrl, "incremental", { retries: 1, extractStart: start.toISOString() });
    sim.setFaults([{ kind: "status", status: 503 }]);
    const failed = await elt(dir, ["run"]);
    sim.setFaults([]);
    expect(failed.code).toBe(1);
    expect(await rawCount(db.url)).toBe(0);
    const caughtUp = await elt(dir, ["run"]);
    expect(caughtUp.code, caughtUp.stderr).toBe(0);
    const [landed] = await query<{ end: Date }>(
      db.url,
      "SELECT max(window_end) AS end FROM elt.loads WHERE status = 'landed' AND mode = 'incremental'",
    );
    const end = landed?.end;
    if (!end) throw new Error("no incremental window landed");
    const expected = countAttempts({ seed: SEED, perDay: PER_DAY, start, end });
    expect(await rawCount(db.url)).toBe(expected);
    const status = JSON.parse((await elt(dir, ["status", "--json"])).stdout) as { extractWatermark: string };
    expect(status.extractWatermark).toBe(end.toISOString());
  }, 300_000);

  it("the database backend killed during landing: rerun, no loss, no duplicate", async () => {
    const db = await database("kill_landing");
    const dir = project(db.secretUrl, "kill_landing");
    sim.setFaults([{ kind: "slow", ms: 30, times: 1 }]);
    const running = elt(dir, ["run", ...WINDOW]);
    const victim = await waitForRow<{ pid: number }>(
      // The landing transaction is open while the slow body arrives (between COPY chunks).
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state IN ('active', 'idle in transaction')
          AND (query ILIKE 'COPY%' OR query ILIKE '%elt_landing%' OR query ILIKE '%SAVEPOINT%')`,
      [db.name],
    );
    await query(ADMIN_URL, "SELECT pg_terminate_backend($1)", [victim.pid]);
    // The landing's connection died: that attempt rolled back, and a new one on a new connection landed.
    const killed = await running;
    expect(killed.code, killed.stderr).toBe(0);
    expect(killed.stderr).toMatch(/database connection lost while landing/);
    expect(await rawCount(db.url)).toBe(reference.raw);
    sim.setFaults([]);
    const again = await elt(dir, ["run", ...WINDOW]);
    expect(again.code, again.stderr).toBe(0);
    expect(await rawCount(db.url)).toBe(reference.raw);
    expect(await gradeRows(db.url)).toEqual(reference.grade);
  }, 300_000);

  it("the database backend killed during the model build: rerun, no loss, no duplicate", async () => {
    const db = await database("kill_build");
    const dir = project(db.secretUrl, "kill_build");
    const first = await elt(dir, ["run", "--date", "2026-11-10"]);
    expect(first.code, first.stderr).toBe(0);
    // Hold the grade table so the next build waits on it, then kill the waiting backend.
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query("BEGIN; LOCK TABLE grade.lms_grade_statistics IN ACCESS EXCLUSIVE MODE");
    const running = elt(dir, ["run", "--date", "2026-11-11"]);
    const victim = await waitForRow<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> $2",
      [db.name, (holder as unknown as { processID: number }).processID],
    );
    await query(ADMIN_URL, "SELECT pg_terminate_backend($1)", [victim.pid]);
    // Let go at once: the failure email still reads the summary built on this table.
    await holder.query("ROLLBACK");
    await holder.end();
    const failed = await running;
    expect(failed.code).toBe(1);
    const again = await elt(dir, ["run", ...WINDOW]);
    expect(again.code, again.stderr).toBe(0);
    expect(await rawCount(db.url)).toBe(reference.raw);
    expect(await gradeRows(db.url)).toEqual(reference.grade);
  }, 300_000);

  it("two runs at once: one waits for the other, nothing is duplicated", async () => {
    const db = await database("concurrent");
    const dir = project(db.secretUrl, "concurrent");
    // Both start while the project lock is held elsewhere, so they truly overlap, then race for it.
    const release = await holdAdvisoryLock(db.url, "project");
    const both = Promise.all([elt(dir, ["run", ...WINDOW]), elt(dir, ["run", ...WINDOW])]);
    await waitForLog(join(dir, "logs"), /database connected/, 2);
    await release();
    const [a, b] = await both;
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(await rawCount(db.url)).toBe(reference.raw);
    expect(await gradeRows(db.url)).toEqual(reference.grade);
    const runs = await query<{ status: string }>(db.url, "SELECT status FROM elt.runs ORDER BY id");
    expect(runs.map((r) => r.status)).toEqual(["success", "success"]);

    // A run killed outright leaves its row 'running'; the next run (holding the lock) closes it.
    await query(db.url, "INSERT INTO elt.runs (status) VALUES ('running')");
    expect((await elt(dir, ["run", ...WINDOW, "--skip-export"])).code).toBe(0);
    const closed = await query<{ status: string; error: string | null }>(
      db.url,
      "SELECT status, error FROM elt.runs ORDER BY id",
    );
    expect(closed[2]).toEqual({
      status: "failed",
      error: expect.stringMatching(/^not finished: the process ended/),
    });
    expect(closed[3]?.status).toBe("success");
  }, 300_000);

  it("a second run that cannot get the lock in time exits 1 with a clear message", async () => {
    const db = await database("lock_timeout");
    const dir = project(db.secretUrl, "lock_timeout", { lockTimeout: 1 });
    expect((await elt(dir, ["migrate"])).code).toBe(0);
    const hold = spawn(
      process.execPath,
      ["--import", "tsx", join(PACKAGE_ROOT, "test/helpers/hold-lock.ts"), dir, "120000"],
      {
        cwd: PACKAGE_ROOT,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    await new Promise<void>((resolve) =>
      hold.stdout?.on("data", (d) => String(d).includes("locked") && resolve()),
    );
    let blocked: CliResult;
    try {
      blocked = await elt(dir, ["run", ...WINDOW]);
    } finally {
      hold.kill();
    }
    expect(blocked.code, blocked.stderr).toBe(1);
    expect(blocked.stderr).toMatch(/another elt command is running.*gave up after waiting 1 s/);
    expect(await rawCount(db.url)).toBe(0);
    expect(await query(db.url, "SELECT id FROM elt.runs")).toEqual([]);
  }, 300_000);

  it("a configuration mistake found mid-run exits 2, names the key, and still reports", async () => {
    const db = await database("config_error");
    const dir = project(db.secretUrl, "config_error");
    const yml = join(dir, "project.yml");
    writeFileSync(yml, readFileSync(yml, "utf8").replace("  client: demo\n", ""));
    const before = smtp.received.length;
    const result = await elt(dir, ["run", ...WINDOW]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/project\.yml: api\.client: Required/);
    expect(smtp.received.slice(before).some((m) => /ошибка/.test(m.mail.subject ?? ""))).toBe(true);
    const [run] = await query<{ status: string }>(db.url, "SELECT status FROM elt.runs");
    expect(run?.status).toBe("failed");
  }, 300_000);

  it("a run that cannot even start (database unreachable) still sends the failure email", async () => {
    const dir = project(`postgres://postgres:${DB_PASSWORD}@127.0.0.1:1/nowhere`, "unreachable");
    const before = smtp.received.length;
    const result = await elt(dir, ["run", ...WINDOW]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot connect to postgres:\/\/127\.0\.0\.1:1\/nowhere/);
    const mail = smtp.received.slice(before).find((m) => /ошибка/.test(m.mail.subject ?? ""));
    expect(mail?.mail.text).toMatch(/could not start: cannot connect/);
  }, 300_000);

  it("log retention deletes only the tool's own old dated logs", async () => {
    const db = await database("retention");
    const dir = project(db.secretUrl, "retention");
    const day = (n: number) => localDate(new Date(Date.now() - n * 86_400_000));
    const logs = join(dir, "logs");
    const files = [
      `${day(1)}.log`,
      `${day(2)}.log`,
      `${day(3)}.log`,
      "2020-01-01.log",
      "notes.txt",
      "2020-01-01.csv",
    ];
    await import("node:fs").then((fs) => fs.mkdirSync(logs, { recursive: true }));
    for (const f of files) writeFileSync(join(logs, f), "old\n");
    const result = await elt(dir, ["run", ...WINDOW, "--skip-export"]);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(logs).sort()).toEqual(
      [`${day(1)}.log`, `${day(2)}.log`, `${localDate()}.log`, "2020-01-01.csv", "notes.txt"].sort(),
    );
    expect(logOf(dir)).toMatch(new RegExp(`old log deleted: ${day(3)}\\.log`));
  }, 300_000);

  it("secrets appear in no log file, email or console output", () => {
    const privateKey = JSON.parse(readFileSync(sheets.credentialsFile, "utf8")).private_key as string;
    const keyBody = privateKey.split("\n")[5] as string; // a line from the middle of the PEM
    const smtpPassword = new URL(smtp.url).password;
    const texts: string[] = [];
    for (const dir of projects) {
      const logs = join(dir, "logs");
      if (!existsSync(logs)) continue;
      for (const f of readdirSync(logs)) texts.push(readFileSync(join(logs, f), "utf8"));
    }
    for (const m of smtp.received) texts.push(m.mail.text ?? "", String(m.mail.html), m.mail.subject ?? "");
    for (const o of outputs) texts.push(o.stdout, o.stderr);
    expect(texts.length).toBeGreaterThan(10);
    expect(smtp.received.length).toBeGreaterThan(3);
    for (const secret of [CLIENT_KEY, DB_PASSWORD, smtpPassword, keyBody]) {
      expect(secret.length).toBeGreaterThan(8);
      for (const text of texts) expect(text).not.toContain(secret);
    }
  });
});
