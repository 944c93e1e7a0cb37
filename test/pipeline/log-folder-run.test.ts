// `elt run` and a log folder it cannot write (issue "Nothing lost silently"): the real binary
// against real PostgreSQL, the API simulator (behind a gate that lets the test act while a download
// waits) and a local SMTP server. Tests run as root: a file standing where the folder should be is
// what makes it unwritable here.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDate } from "../../src/log/timestamp.ts";
import { type Simulator, startSimulator } from "../../src/simulator/start-simulator.ts";
import { runElt } from "../helpers/cli.ts";
import { type GatedApi, startGatedApi } from "../helpers/gated-api.ts";
import { createTestDatabase, queryRows, type TestDatabase } from "../helpers/pg.ts";
import { emailYaml, SHIPPED_MODELS_YAML, tempProject } from "../helpers/project.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";

const CLIENT_KEY = "Cl1ent-K3y-log-folder";

let sim: Simulator;
let api: GatedApi;
let smtp: TestSmtp;
let db: TestDatabase;

function project(files: Record<string, string> = {}, logsDir = "logs"): string {
  return tempProject({
    "project.yml": `
database:
  url: "${db.url}"
api:
  url: ${api.url}
  client: demo
  client_key: ${CLIENT_KEY}
  timeout_seconds: 10
  retries: 0
logs:
  dir: ${logsDir}
${SHIPPED_MODELS_YAML}
${emailYaml(smtp.url)}
`,
    ...files,
  });
}

const query = <R>(sql: string, params: unknown[] = []) => queryRows<R>(db.url, sql, params);

interface RunRow {
  id: number;
  status: string;
  error: string | null;
  stages: { name: string; status: string; detail?: string }[];
}
const runsAfter = (id: number) =>
  query<RunRow>("SELECT id, status, error, stages FROM elt.runs WHERE id > $1 ORDER BY id", [id]);
const lastRunId = async () => {
  const exists = await query<{ t: string | null }>("SELECT to_regclass('elt.runs')::text AS t");
  if (!exists[0]?.t) return 0;
  return Number((await query<{ id: number | null }>("SELECT max(id) AS id FROM elt.runs"))[0]?.id ?? 0);
};

const noStack = (stderr: string) => {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/unexpected error/);
};

beforeAll(async () => {
  [sim, smtp, db] = await Promise.all([
    startSimulator({ seed: 5, perDay: 300, clientKey: CLIENT_KEY }),
    startSmtp(),
    createTestDatabase("log_folder_run"),
  ]);
  api = await startGatedApi(sim.url);
});

afterAll(async () => {
  await Promise.all([api?.close(), sim?.close(), smtp?.close()]);
  await db?.drop();
});

describe("elt run: the log folder", () => {
  it("a regular file where the folder should be: exit 2, a 'failed' ledger row, the failure email", async () => {
    const dir = project({ logs: "a file, not the folder\n" });
    const logDir = join(dir, "logs");
    const before = { run: await lastRunId(), mails: smtp.received.length, requests: sim.requests };
    const result = await runElt(["run", "--date", "2026-11-10", "--project-dir", dir]);

    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`logs.dir: cannot write log files to ${logDir}: EEXIST`);
    expect(result.stderr).toMatch(/hint: .*ELT_LOG_DIR/);
    noStack(result.stderr);
    expect(sim.requests).toBe(before.requests); // nothing ran
    const runs = await runsAfter(before.run);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe("failed");
    expect(runs[0]?.error).toContain(`logs.dir: cannot write log files to ${logDir}`);
    const mails = smtp.received.slice(before.mails);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.mail.subject).toMatch(/failed/);
    // The text email wraps its lines: a long folder path may start on the next one.
    expect(mails[0]?.mail.text?.replace(/\s+/g, " ")).toContain(`cannot write log files to ${logDir}`);
  }, 60_000);

  it("the folder turns into a file mid-run: the run goes on to the end, then fails (exit 1)", async () => {
    const dir = project();
    const logDir = join(dir, "logs");
    const before = { run: await lastRunId(), mails: smtp.received.length };
    // While the first download waits for its answer, someone replaces the folder with a file.
    api.onNextRequest(() => {
      renameSync(logDir, `${logDir}.moved`);
      writeFileSync(logDir, "in the way\n");
    });
    const result = await runElt(["run", "--date", "2026-11-10", "--project-dir", dir]);

    expect(result.code, result.stderr).toBe(1);
    noStack(result.stderr);
    // One clear warning where it happened, and the failure again at the end.
    const warnings = result.stderr.match(/log file: cannot write to .*/g) ?? [];
    expect(warnings).toEqual([
      `log file: cannot write to ${logDir}: ENOTDIR: not a directory; from now on log lines go to the console only, and the command will end as failed`,
    ]);
    expect(result.stderr).toMatch(
      new RegExp(`finished with failures[^]*logs: could not write to ${logDir} from `),
    );
    // The work itself went on: landed, built, tested, reported.
    const [landed] = await query<{ n: string }>("SELECT count(*) AS n FROM raw.api_attempts");
    expect(Number(landed?.n)).toBeGreaterThan(200);
    const runs = await runsAfter(before.run);
    expect(runs).toHaveLength(1);
    const run = runs[0] as RunRow;
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(
      new RegExp(
        `^logs: could not write to ${logDir} from \\d{4}-\\d{2}-\\d{2} [\\d:.]+: ENOTDIR: not a directory$`,
      ),
    );
    expect(run.stages.map((s) => [s.name, s.status])).toEqual([
      ["compile models", "success"],
      ["extract", "success"],
      ["source checks", "success"],
      ["model build", "success"],
      ["sheets export", "success"],
      ["logs", "failed"],
      ["email", "success"],
    ]);
    const mails = smtp.received.slice(before.mails);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.mail.subject).toMatch(/failed/);
    expect(mails[0]?.mail.text?.replace(/\s+/g, " ")).toContain(`logs: could not write to ${logDir}`);
    // The log holds everything up to the download; nothing was written after the swap.
    const text = readFileSync(join(`${logDir}.moved`, `${localDate()}.log`), "utf8");
    expect(text).toMatch(/INFO {2}download .* started\n$/);
    expect(readFileSync(logDir, "utf8")).toBe("in the way\n");
  }, 60_000);

  it("another command whose folder breaks mid-way finishes its work, then exits 1 naming it", async () => {
    const dir = project();
    const logDir = join(dir, "logs");
    api.onNextRequest(() => {
      renameSync(logDir, `${logDir}.moved`);
      writeFileSync(logDir, "in the way\n");
    });
    const result = await runElt(["extract", "--date", "2026-11-11", "--project-dir", dir]);
    expect(result.code, result.stderr).toBe(1);
    noStack(result.stderr);
    expect(result.stderr).toMatch(/extract done: 1 landed/);
    expect(result.stderr).toMatch(
      new RegExp(`ERROR +logs: could not write to ${logDir} from [\\d: .-]+: ENOTDIR: not a directory`),
    );
    expect(existsSync(join(`${logDir}.moved`, `${localDate()}.log`))).toBe(true);
  }, 60_000);
});
