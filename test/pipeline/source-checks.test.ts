// Source checks (issue 12, ADR 0011) through the nightly `elt run` (in-process, real PostgreSQL, the
// simulator's fault modes, a local SMTP server): a stale source, a renamed key and a retyped value
// (in the records and inside passback_params) are each caught with the configured severity and the
// finding names the key; clean data over many loads and nights finds nothing; the email and
// `elt status` show the checks; the extract's own verdicts are recorded beside them.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withProject } from "../../src/cli/project-context.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import { formatStatus } from "../../src/pipeline/format-status.ts";
import { pipelineStatus } from "../../src/pipeline/pipeline-status.ts";
import type { RunOptions } from "../../src/pipeline/run-options.ts";
import { runPipeline } from "../../src/pipeline/run-pipeline.ts";
import type { Fault } from "../../src/simulator/fault-plan.ts";
import { type Simulator, startSimulator } from "../../src/simulator/start-simulator.ts";
import { cloneDatabase, createTestDatabase, queryRows, type TestDatabase } from "../helpers/pg.ts";
import { emailYaml, SHIPPED_MODELS_YAML, tempProject } from "../helpers/project.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";

const SEED = 7;
const PER_DAY = 400;
const HOUR = 3_600_000;
const day = (n: number) => new Date(Date.UTC(2024, 2, n));
/** The nightly run of day n, at 23:30 UTC. */
const night = (n: number) => new Date(day(n).getTime() + 23.5 * HOUR);

let sim: Simulator;
let smtp: TestSmtp;
let template: TestDatabase;
const databases: TestDatabase[] = [];

interface CheckRow {
  run_id: number;
  load_id: number | null;
  check: string;
  severity: string;
  status: string;
  message: string;
}

const checks = (url: string) =>
  queryRows<CheckRow>(
    url,
    `SELECT run_id::int, load_id::int, "check", severity, status, message FROM elt.source_checks ORDER BY id`,
  );

function project(dbUrl: string, models = SHIPPED_MODELS_YAML): string {
  return tempProject({
    "project.yml": `
database: {url: "${dbUrl}"}
api: {url: ${sim.url}, client: demo, client_key: demo-key, retries: 0, retry_base_delay_ms: 10}
logs: {level: error}
${models}
${emailYaml(smtp.url)}
    templates_dir: ${join(PACKAGE_ROOT, "templates")}
`,
  });
}

/** The shipped models with drift at `drift` (the yml's text after `drift:`): a project's own copy. */
function driftModels(drift: string): string {
  const dir = tempProject({});
  cpSync(join(PACKAGE_ROOT, "models"), join(dir, "models"), { recursive: true });
  const yml = join(dir, "models", "sources.yml");
  const text = readFileSync(yml, "utf8");
  expect(text).toMatch(/drift:\n\s+severity: warn/);
  writeFileSync(yml, text.replace(/(drift:\n\s+)severity: warn/, `$1${drift}`));
  return `models:
  paths: [${join(dir, "models")}]
  test_paths: [${join(PACKAGE_ROOT, "tests")}]
  macro_paths: [${join(PACKAGE_ROOT, "macros")}]`;
}

interface Night {
  runId: number;
  status: "success" | "failed";
  warnings: string[];
  email: string;
  subject: string;
}

interface Project {
  url: string;
  dir: string;
}

async function run({ dir, url }: Project, options: RunOptions, fault?: Fault): Promise<Night> {
  const before = smtp.received.length;
  sim.setFaults(fault ? [fault] : []);
  let status: Night["status"] = "success";
  let warnings: string[] = [];
  try {
    warnings = (await withProject({ "project-dir": dir }, {}, (ctx) => runPipeline(ctx, options))).warnings;
  } catch (error) {
    if ((error as { code?: string }).code !== "RUN_FAILED") throw error;
    status = "failed";
  } finally {
    sim.setFaults([]);
  }
  const mail = smtp.received.slice(before).at(-1);
  const [row] = await queryRows<{ id: number }>(url, "SELECT max(id)::int AS id FROM elt.runs");
  return {
    runId: row?.id ?? 0,
    status,
    warnings,
    // The text part wraps at 78 columns: read it as running text.
    email: (mail?.mail.text ?? "").replace(/\s+/g, " "),
    subject: mail?.mail.subject ?? "",
  };
}

async function statusText(dir: string): Promise<string> {
  return withProject({ "project-dir": dir }, { lock: false, migrate: false }, async ({ db }) =>
    formatStatus(await pipelineStatus(db, 5)),
  );
}

async function clone(name: string): Promise<Project> {
  const t = await cloneDatabase(template, `srcchk_${name}`);
  databases.push(t);
  return { url: t.url, dir: project(t.url) };
}

beforeAll(async () => {
  sim = await startSimulator({ seed: SEED, perDay: PER_DAY });
  smtp = await startSmtp();
  template = await createTestDatabase("srcchk_tmpl");
  // Eight days of history (a backfill: freshness is not judged, drift compares day by day).
  const history = await run(
    { url: template.url, dir: project(template.url) },
    { start: day(1), end: day(9), now: day(20) },
  );
  expect(history.status).toBe("success");
}, 120_000);

afterAll(async () => {
  await sim?.close();
  await smtp?.close();
  for (const d of databases) await d.drop().catch(() => {});
  await template?.drop();
});

describe("source checks", () => {
  it("clean data: every check passes over the history and five nights, and the checks are recorded per load", async () => {
    const p = await clone("clean");
    for (const n of [9, 10, 11, 12, 13]) {
      const r = await run(p, { now: night(n) });
      expect(r.status).toBe("success");
      expect(r.warnings.join("\n")).not.toMatch(/source check/);
    }
    const rows = await checks(p.url);
    // Freshness and drift are quiet (the extract's verdicts are its own: the simulator's clean data
    // holds a few conflicting re-sends).
    const failing = rows.filter(
      (r) => r.status !== "pass" && (r.check === "drift" || r.check === "freshness"),
    );
    expect(failing).toEqual([]);
    // History: 8 daily loads; nights: a 24 h and a 1.5 h window each.
    const drift = rows.filter((r) => r.check === "drift");
    expect(drift.length).toBe(8 + 5 * 2);
    expect(drift[0]?.message).toMatch(/no earlier load to compare with/);
    expect(drift.at(-1)?.message).toMatch(/shaped as the last \d+ loads'/);
    expect(rows.filter((r) => r.check === "freshness").map((r) => r.severity)).toEqual(
      Array(5).fill("error"),
    );
    for (const check of ["volume", "rejects", "outside_window", "conflicts"]) {
      expect(rows.filter((r) => r.check === check).length).toBe(drift.length);
    }
    const status = await statusText(p.dir);
    expect(status).toMatch(/\nsource checks \(run \d+, [\d-]+ [\d:]+\): \d+ pass/);
    expect(status).not.toMatch(/ (drift|freshness) raw/);
  });

  it("stale source: 24 h without new records warns; 48 h fails the run, raw stays landed, email and status say so", async () => {
    const p = await clone("stale");
    expect((await run(p, { now: night(9) })).status).toBe("success");
    const stale: Fault = { kind: "stale", hours: 1000 };
    const warned = await run(p, { now: night(10) }, stale);
    expect(warned.status).toBe("success");
    const warning =
      /source check freshness on raw\.api_attempts: stale: newest created_at landed is 2024-03-09 2\d:\d\d:\d\d, 2[34]\.\d h old \(over 12 h\)/;
    expect(warned.warnings.join("\n")).toMatch(warning);
    // The email words it, with what to do, and keeps the check's own message as the detail.
    expect(warned.email).toMatch(/The newest record in raw\.api_attempts is 2[34]\.\d h old \(over 12 h\)\./);
    expect(warned.email).toMatch(/What to do: Check that the API still sends new data/);
    expect(warned.email).toMatch(
      /stale: newest created_at landed is 2024-03-09 2\d:\d\d:\d\d, 2[34]\.\d h old/,
    );
    expect(warned.email).toMatch(/Source checks warned:\s+1/);

    const failed = await run(p, { now: night(11) }, stale);
    expect(failed.status).toBe("failed");
    expect(failed.subject).toMatch(/failed/);
    expect(failed.email).toMatch(
      /source checks: source check freshness on raw\.api_attempts: stale: .*, 4[78]\.\d h old \(over 36 h\)/,
    );
    expect(failed.email).toMatch(/Source checks failed:\s+1/);
    // The models were still built (the failure is the source's, not the data's).
    expect(failed.email).toMatch(/model build: success/);
    const freshness = (await checks(p.url)).filter((r) => r.check === "freshness");
    expect(freshness.map((r) => r.status)).toEqual(["pass", "warn", "error"]);
    expect(await statusText(p.dir)).toMatch(
      /\n {2}error freshness raw\.api_attempts: stale: newest created_at/,
    );
    // The source comes back: fresh again.
    const back = await run(p, { now: night(12) });
    expect(back.warnings.join("\n")).not.toMatch(/freshness/);
    expect((await checks(p.url)).filter((r) => r.check === "freshness").at(-1)?.status).toBe("pass");
  });

  it.each([
    [
      "a renamed key",
      { kind: "rename", from: "attempt_type", to: "kind" },
      [
        /new key kind \(string\) in \d+ of \d+ records/,
        /key attempt_type missing from \d+ of \d+ records \(in 100% before\)/,
      ],
    ],
    [
      "a renamed key inside passback_params",
      { kind: "rename", from: "passback_params.lis_result_sourcedid", to: "sourcedid" },
      [
        /new key passback_params\.sourcedid \(string\)/,
        /key passback_params\.lis_result_sourcedid missing from/,
      ],
    ],
    [
      "a retyped value",
      { kind: "retype", key: "is_correct" },
      [/key is_correct retyped: (boolean\/)?number → string/],
    ],
    [
      "a retyped value inside passback_params",
      { kind: "retype", key: "passback_params.oauth_consumer_key" },
      [/key passback_params\.oauth_consumer_key retyped: string → number/],
    ],
  ] as const)(
    "%s is drift: a warning naming the key, in the email and elt status",
    async (_, fault, found) => {
      const p = await clone(`drift_${fault.kind}_${"key" in fault ? "k" : "f"}${found.length}`);
      const r = await run(p, { now: night(9) }, fault);
      const drift = (await checks(p.url)).filter((c) => c.check === "drift" && c.run_id === r.runId);
      // The 24 h window's load shows it; the 1.5 h one is compared with a baseline that now holds it.
      const warned = drift.filter((c) => c.status === "warn");
      expect(warned.length).toBeGreaterThanOrEqual(1);
      for (const f of found) {
        expect(warned[0]?.message).toMatch(f);
        expect(r.warnings.join("\n")).toMatch(f);
        expect(r.email).toMatch(f);
      }
      expect(warned[0]?.severity).toBe("warn");
      expect(await statusText(p.dir)).toMatch(/\n {2}warn drift raw\.api_attempts load \d+: /);
      // The vendor fixes it: the next night is the usual shape again, and no drift is reported (the
      // odd load in the baseline makes nothing usual missing, nor the usual new).
      const fixed = await run(p, { now: night(10) });
      expect(fixed.warnings.join("\n")).not.toMatch(/source check drift/);
    },
  );

  it("drift at severity error fails the run; the models are still built", async () => {
    const t = await cloneDatabase(template, "srcchk_drift_error");
    databases.push(t);
    const p = { url: t.url, dir: project(t.url, driftModels("severity: error")) };
    const r = await run(p, { now: night(9) }, { kind: "retype", key: "is_correct" });
    expect(r.status).toBe("failed");
    expect(r.email).toMatch(
      /source checks: source check drift on raw\.api_attempts \(load \d+\): key is_correct retyped/,
    );
    expect(r.email).toMatch(/model build: success/);
    const rows = (await checks(p.url)).filter((c) => c.check === "drift" && c.status !== "pass");
    expect(rows.map((c) => [c.severity, c.status])).toContainEqual(["error", "error"]);
  });

  it("a load bigger than drift.sample is counted on a sample: a rename is still found, clean nights stay quiet", async () => {
    const t = await cloneDatabase(template, "srcchk_drift_sample");
    databases.push(t);
    // ~400 records a day against a sample of 40: one seq in ~10 is counted.
    const p = { url: t.url, dir: project(t.url, driftModels("severity: warn\n          sample: 40")) };
    const r = await run(p, { now: night(9) }, { kind: "rename", from: "attempt_type", to: "kind" });
    const warned = (await checks(p.url)).filter((c) => c.check === "drift" && c.run_id === r.runId);
    const big = warned.find((c) => c.status === "warn");
    expect(big?.message).toMatch(/new key kind \(string\) in \d+ of \d+ records/);
    const [, n, of] = /in (\d+) of (\d+) records/.exec(big?.message ?? "") ?? [];
    expect(Number(of)).toBeLessThanOrEqual(40);
    expect(Number(n)).toBeGreaterThan(0);
    expect(big?.message).toMatch(/^counted on a sample \(1 seq in \d+ of \d+ seqs\): /);
    const fixed = await run(p, { now: night(10) });
    expect(fixed.warnings.join("\n")).not.toMatch(/source check drift/);
    expect(
      (await checks(p.url))
        .filter((c) => c.check === "drift" && c.run_id === fixed.runId)
        .map((c) => c.status),
    ).toEqual(expect.arrayContaining(["pass"]));
  });

  it("the extract's verdicts are recorded as checks: an empty answer is a volume warning", async () => {
    const p = await clone("empty");
    const r = await run(p, { now: night(9) }, { kind: "empty", times: 1 });
    expect(r.status).toBe("success");
    const rows = (await checks(p.url)).filter((c) => c.run_id === r.runId && c.status !== "pass");
    expect(rows.map((c) => [c.check, c.status])).toEqual([["volume", "warn"]]);
    expect(rows[0]?.message).toMatch(
      /looks incomplete \(0 records for 24 h, usually about [\d,]+ .*\), fetched again later/,
    );
    // Reported once, by the extract, not a second time as a source check.
    expect(r.warnings.filter((w) => /looks incomplete/.test(w))).toHaveLength(1);
  });
});
