// One run id end to end (issue 12, part 5): two real `elt run`s (the binary, real PostgreSQL, the
// API simulator, the Sheets fake, a local SMTP server), then `elt status --run N` through the CLI
// shows each run whole (its loads, model builds, audits, source checks and exports) and none of the
// other run's rows; the sheet's note and the emails carry the run id.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunDetail } from "../../src/pipeline/run-detail.ts";
import { type Simulator, startSimulator } from "../../src/simulator/start-simulator.ts";
import { type CliResult, runElt } from "../helpers/cli.ts";
import { type FakeSheets, startFakeSheets } from "../helpers/fake-sheets.ts";
import { createTestDatabase, queryRows, type TestDatabase } from "../helpers/pg.ts";
import { SHIPPED_EXPORTS_LINES, SHIPPED_MODELS_YAML, tempProject } from "../helpers/project.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";

let sim: Simulator;
let sheets: FakeSheets;
let smtp: TestSmtp;
let db: TestDatabase;
let dir: string;
const runs: { id: number; result: CliResult; mail: string }[] = [];

const elt = (args: string[], project = dir) =>
  runElt([...args, "--project-dir", project], { timeoutMs: 180_000 });

function project(url: string): string {
  return tempProject({
    "project.yml": `
database: {url: "${url}"}
api: {url: ${sim.url}, client: demo, client_key: demo-key, retries: 0, retry_base_delay_ms: 10}
logs: {level: warn}
locale: en
${SHIPPED_MODELS_YAML}
exports:
${SHIPPED_EXPORTS_LINES}
  retries: 0
  sheets:
    credentials: ${sheets.credentialsFile}
    spreadsheet_id: ${sheets.spreadsheetId}
    root_url: ${sheets.url}
  email:
    smtp_url: "${smtp.url}"
    from: elt@example.org
    to: ops@example.org
`,
  });
}

async function nightlyRun(date: string): Promise<void> {
  const before = smtp.received.length;
  const result = await elt(["run", "--date", date]);
  const [row] = await queryRows<{ id: number }>(db.url, "SELECT max(id)::int AS id FROM elt.runs");
  runs.push({ id: row?.id ?? 0, result, mail: smtp.received.slice(before).at(-1)?.mail.text ?? "" });
}

beforeAll(async () => {
  [sim, sheets, smtp] = await Promise.all([
    startSimulator({ seed: 5, perDay: 300 }),
    startFakeSheets(),
    startSmtp(),
  ]);
  db = await createTestDatabase("run_detail");
  dir = project(db.url);
  await nightlyRun("2026-11-10");
  // The second run's sheet export fails (no retries): its ledger differs from the first's.
  sheets.failNext(5, 500);
  await nightlyRun("2026-11-11");
  sheets.failNext(0);
}, 300_000);

afterAll(async () => {
  await Promise.all([sim?.close(), sheets?.close(), smtp?.close()]);
  await db?.drop();
});

describe("one run id end to end", () => {
  it("every ledger row of both runs carries its run's id", async () => {
    const [first, second] = runs;
    expect(first?.result.code, first?.result.stderr).toBe(0);
    expect(second?.result.code).toBe(1);
    for (const table of ["loads", "model_runs", "test_results", "exports", "source_checks"]) {
      const rows = await queryRows<{ run_id: number | null; n: number }>(
        db.url,
        `SELECT run_id::int, count(*)::int AS n FROM elt.${table} GROUP BY 1 ORDER BY 1`,
      );
      expect(rows, table).toEqual([
        { run_id: first?.id, n: expect.any(Number) },
        { run_id: second?.id, n: expect.any(Number) },
      ]);
    }
  });

  it("the sheet's note and both emails name the run", () => {
    const [first, second] = runs;
    // The second run wrote nothing to the sheet: the note still names the first.
    expect(sheets.notes.get("daily_summary!A1")).toMatch(
      new RegExp(`^Updated .* UTC by elt run ${first?.id} \\(days 2026-11-10\\)`),
    );
    expect(first?.mail).toContain(`Run ${first?.id}.`);
    expect(first?.mail).toContain(`elt status --run ${first?.id}`);
    expect(second?.mail).toMatch(/failed/);
    expect(second?.mail).toContain(`Run ${second?.id}.`);
    expect(second?.mail).toContain(`elt status --run ${second?.id}`);
  });

  it("elt status --run N shows that run whole, and not the other one", async () => {
    const [first, second] = runs;
    const shown = await elt(["status", "--run", String(first?.id)]);
    expect(shown.code, shown.stderr).toBe(0);
    const text = shown.stdout;
    expect(text).toMatch(new RegExp(`^run ${first?.id}: success`));
    expect(text).toContain("window (UTC): 2026-11-10 00:00:00 → 2026-11-11 00:00:00");
    for (const title of ["stages", "loads", "models", "audits", "source checks", "exports"])
      expect(text).toMatch(new RegExp(`^${title} \\(\\d+\\)$`, "m"));
    expect(text).toMatch(/^ {2}\d+ +2026-11-10 00:00:00 → 2026-11-11 00:00:00 +backfill +landed +200 /m);
    expect(text).not.toContain("2026-11-11 00:00:00 → 2026-11-12");
    expect(text).toMatch(/^ {2}lms_grade_statistics +incremental +\S+ +success +\d+ +.* yes/m);
    expect(text).toMatch(/^ {2}sheets +2026-11-10 +success +1 /m);
    expect(text).toMatch(/^ {2}email +2026-11-10 +success +1 /m);
    expect(text).not.toMatch(/\bfailed\b/); // counts such as exports_failed aside

    const json = await elt(["status", "--run", String(second?.id), "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const detail = JSON.parse(json.stdout) as RunDetail;
    expect(detail.run).toMatchObject({ id: second?.id, status: "failed" });
    expect(detail.unavailable).toEqual([]);
    const ids = async (table: string, runId: number | undefined) =>
      (
        await queryRows<{ id: number }>(
          db.url,
          `SELECT id::int FROM elt.${table} WHERE run_id = $1 ORDER BY id`,
          [runId],
        )
      ).map((r) => r.id);
    expect(detail.loads.map((l) => l.id)).toEqual(await ids("loads", second?.id));
    expect(detail.loads.map((l) => String(l.window_start).slice(0, 10))).toEqual(["2026-11-11"]);
    expect(detail.models.map((m) => m.id)).toEqual(await ids("model_runs", second?.id));
    expect(detail.models.length).toBeGreaterThan(3);
    expect(detail.models.every((m) => m.published === true)).toBe(true);
    expect(detail.audits.length).toBeGreaterThan(3);
    expect(detail.audits.every((a) => typeof a.scope === "string" && a.status === "pass")).toBe(true);
    expect(detail.sourceChecks.length).toBeGreaterThan(0);
    expect(detail.exports.map((e) => [e.kind, e.status])).toEqual([
      ["sheets", "failed"],
      ["email", "success"],
    ]);
    const firstIds = new Set(await ids("loads", first?.id));
    expect(detail.loads.some((l) => firstIds.has(l.id))).toBe(false);
  });

  it("an unknown run or a malformed id is a usage error (exit 2)", async () => {
    const unknown = await elt(["status", "--run", "999"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout + unknown.stderr).toContain("run 999 is not in the run ledger");
    const malformed = await elt(["status", "--run", "x1"]);
    expect(malformed.code).toBe(2);
    expect(malformed.stdout + malformed.stderr).toContain("--run: expected a run id");
  });

  it("a database from before the run ids: the run, and what its ledger cannot say", async () => {
    const old = await createTestDatabase("run_detail_old");
    try {
      await queryRows(
        old.url,
        `CREATE SCHEMA elt;
         CREATE TABLE elt.runs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, started_at timestamptz NOT NULL DEFAULT now(),
           finished_at timestamptz, status text NOT NULL DEFAULT 'running', window_start timestamp, window_end timestamp,
           options jsonb NOT NULL DEFAULT '{}', stages jsonb NOT NULL DEFAULT '[]', counts jsonb NOT NULL DEFAULT '{}',
           error text, pid integer, host text);
         CREATE TABLE elt.loads (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, status text);
         CREATE TABLE elt.exports (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, run_id bigint, kind text, status text);
         INSERT INTO elt.runs (status, finished_at) VALUES ('success', now());
         INSERT INTO elt.exports (run_id, kind, status) VALUES (1, 'email', 'success');`,
      );
      const shown = await elt(["status", "--run", "1"], project(old.url));
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toMatch(/^run 1: success/);
      expect(shown.stdout).toMatch(/^exports \(1\)$/m);
      expect(shown.stdout).toContain("elt.loads: has no run ids yet (migration 0070");
      expect(shown.stdout).toContain("elt.model_runs: not created yet");
    } finally {
      await old.drop();
    }
  });
});
