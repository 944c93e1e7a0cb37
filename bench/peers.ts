/**
 * Benchmark 8, against the public Python clients: 200k simulator records (`--quick` 20k) of one
 * window, served from a captured response by a local HTTP server, loaded three ways on the same
 * PostgreSQL, one after the other, each on a fresh database:
 *
 * - ours: the whole `elt run` of the window in-process (compile, extract, source checks, the build
 *   with its audits, the publish; exports skipped);
 * - python: bench/peers/python_client.py under Debian's python3 and psycopg2, the public clients'
 *   way (GET, json.loads, ast.literal_eval per passback, one INSERT per row, one commit);
 * - the limit: `psql \copy` of the records into raw.api_attempts plus one INSERT … SELECT through
 *   elt.py_literal_to_jsonb into a grade-shaped table, in one psql call.
 *
 * Targets: python time ÷ ours ≥ 3; ours ÷ the limit ≤ 1.5. Median of 3 runs.
 * Without psycopg2 the bench installs python3-psycopg2 when it runs as root with apt-get, else says
 * how and measures ours and the limit only.
 *
 *   node --import tsx bench/peers.ts [--quick] [--runs N]
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Database } from "../src/db/database.ts";
import { configureLogging } from "../src/log/logger.ts";
import { runPipeline } from "../src/pipeline/run-pipeline.ts";
import { type BenchDatabase, createBenchDatabase } from "./lib/bench-db.ts";
import { benchConfig, openMigrated, PROJECT_DIR, tempDir } from "./lib/bench-project.ts";
import { addDays, apiTime, BENCH_DAY, captureWindow, perDayFor, writeCopyFile } from "./lib/dataset.ts";
import { benchOptions, progress } from "./lib/options.ts";
import { startReplayServer } from "./lib/replay-server.ts";
import { type Figure, report, resultHeader } from "./lib/results.ts";
import { median, round, timed } from "./lib/stats.ts";

const run = promisify(execFile);
const CLIENT = fileURLToPath(new URL("./peers/python_client.py", import.meta.url));
/** Debian's interpreter (python3-psycopg2 installs into it), not whatever python3 a PATH finds first. */
const PYTHON = process.env.PEERS_PYTHON ?? (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");

/** The grade-shaped table the limit fills: the one the Python client creates for itself. */
const LIMIT_TABLE = `CREATE SCHEMA peers_limit;
CREATE TABLE peers_limit.lms_grade_statistics (
  user_id varchar NOT NULL,
  oauth_consumer_key varchar,
  lis_result_sourcedid varchar,
  lis_outcome_service_url varchar,
  is_correct int,
  attempt_type varchar,
  created_at timestamp NOT NULL
)`;

// The fewest checks that keep the NOT NULL columns filled: the parser once per row (LATERAL), the
// timestamp through the same function the staging model uses.
const LIMIT_INSERT = `INSERT INTO peers_limit.lms_grade_statistics
SELECT r.record ->> 'lti_user_id', p.pb ->> 'oauth_consumer_key', p.pb ->> 'lis_result_sourcedid',
  p.pb ->> 'lis_outcome_service_url',
  CASE r.record ->> 'is_correct' WHEN '1' THEN 1 WHEN 'true' THEN 1 WHEN '0' THEN 0 WHEN 'false' THEN 0 END,
  r.record ->> 'attempt_type', t.created_at
FROM raw.api_attempts AS r
CROSS JOIN LATERAL elt.py_literal_to_jsonb(r.record ->> 'passback_params') AS p(pb)
CROSS JOIN LATERAL elt.parse_api_timestamp(r.record ->> 'created_at') AS t(created_at)
WHERE jsonb_typeof(p.pb) = 'object' AND r.record ->> 'lti_user_id' <> '' AND t.created_at IS NOT NULL`;

/** Whether the interpreter imports psycopg2; installs Debian's package when it can (root, apt-get). */
function ensurePsycopg2(): string | undefined {
  const has = () => {
    try {
      execFileSync(PYTHON, ["-c", "import psycopg2"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  if (has()) return undefined;
  const how = "apt-get install -y python3-psycopg2";
  if (process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
    process.stderr.write(`  · ${PYTHON} has no psycopg2: installing it (${how})\n`);
    try {
      execFileSync("apt-get", ["install", "-y", "python3-psycopg2"], {
        stdio: ["ignore", "ignore", "inherit"],
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      });
    } catch {
      // Reported below with the command to run.
    }
    if (has()) return undefined;
  }
  process.stderr.write(
    `  · ${PYTHON} cannot import psycopg2: install it (${how}, or PEERS_PYTHON=an interpreter that has it); measuring ours and the limit only\n`,
  );
  return `python client not measured: ${PYTHON} cannot import psycopg2 (${how})`;
}

/** A fresh database with the tool's migrations (not timed), checkpointed so each side starts alike. */
async function freshDatabase(): Promise<{ bench: BenchDatabase; db: Database }> {
  const bench = await createBenchDatabase("peers");
  const db = await openMigrated({ url: bench.url });
  await db.query("CHECKPOINT");
  return { bench, db };
}

interface Side {
  ms: number[];
  detail: Record<string, number[]>;
}

function push(side: Side, key: string, value: number): void {
  side.detail[key] = [...(side.detail[key] ?? []), Math.round(value)];
}

async function main(): Promise<void> {
  const options = benchOptions();
  // The pipeline's "skipped (--skip-export)" warnings would repeat each run.
  configureLogging({ level: "error" });
  const started = Date.now();
  const [size, label] = options.quick ? [20_000, "20k"] : [200_000, "200k"];
  const tmp = tempDir("peers");
  const notes: string[] = [];
  const noPython = ensurePsycopg2();
  if (noPython) notes.push(noPython);
  const start = BENCH_DAY;
  const end = addDays(start, 1);
  progress(`generating ~${size} records with the simulator`);
  const body = await captureWindow({
    perDay: perDayFor(size),
    start,
    end,
    file: join(tmp.dir, "body.json"),
  });
  // The limit's input, made beforehand and not timed, as in bench/landing.ts.
  const copyFile = join(tmp.dir, "records.tsv");
  const records = await writeCopyFile(body.file, copyFile);
  const server = await startReplayServer(body.file);
  const ours: Side = { ms: [], detail: {} };
  const python: Side = { ms: [], detail: {} };
  const limit: Side = { ms: [], detail: {} };
  const rows: Record<string, number> = {};
  try {
    for (let i = 0; i < options.runs; i++) {
      // Rotate the order so no side always runs first (on a colder cache, a fresher WAL).
      const order = ["ours", "python", "limit"].filter((s) => s !== "python" || !noPython);
      for (let k = 0; k < i % order.length; k++) order.push(order.shift() as string);
      for (const side of order) {
        const { bench, db } = await freshDatabase();
        try {
          if (side === "ours") {
            const config = benchConfig({ databaseUrl: bench.url, apiUrl: server.url, logDir: tmp.dir });
            const r = await timed(() =>
              runPipeline(
                { db, config, projectDir: PROJECT_DIR, path: (p) => join(PROJECT_DIR, p) },
                { start, end, skipExport: true },
              ),
            );
            if (r.value.counts.landed !== records)
              throw new Error(`ours landed ${r.value.counts.landed} of ${records}`);
            ours.ms.push(r.ms);
            for (const s of r.value.stages) if (s.status !== "skipped") push(ours, s.name, s.ms);
            // Where the build's time went (a fresh database: every row is this run's).
            const { rows: built } = await db.query<{ name: string; ms: number }>(
              `SELECT 'model ' || model AS name, ms FROM elt.model_runs
               UNION ALL SELECT 'audits of ' || coalesce(model, 'project tests'), sum(ms)::int
                 FROM elt.test_results GROUP BY model`,
            );
            for (const b of built) push(ours, b.name, b.ms);
            rows.oursLoaded = r.value.counts.loaded ?? 0;
            rows.oursQuarantined = r.value.counts.quarantined ?? 0;
          } else if (side === "python") {
            const r = await timed(() =>
              run(
                PYTHON,
                [
                  CLIENT,
                  ...["--api", server.url, "--database", bench.url],
                  ...["--start", apiTime(start), "--end", apiTime(end)],
                ],
                { maxBuffer: 1 << 20 },
              ),
            );
            const out = JSON.parse(r.value.stdout) as {
              records: number;
              inserted: number;
              skipped: number;
              downloadSeconds: number;
              insertSeconds: number;
            };
            if (out.records !== records)
              throw new Error(`the python client read ${out.records} of ${records}`);
            python.ms.push(r.ms);
            push(python, "downloadAndParseMs", out.downloadSeconds * 1000);
            push(python, "literalEvalAndInsertMs", out.insertSeconds * 1000);
            rows.pythonInserted = out.inserted;
            rows.pythonSkipped = out.skipped;
          } else {
            await db.query(LIMIT_TABLE);
            const r = await timed(() =>
              run("psql", [
                ...bench.psqlArgs,
                ...["-v", "ON_ERROR_STOP=1", "-1", "-q"],
                ...["-c", `\\copy raw.api_attempts (load_id, record, record_hash) FROM '${copyFile}'`],
                ...["-c", LIMIT_INSERT],
              ]),
            );
            const { rows: n } = await db.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM peers_limit.lms_grade_statistics",
            );
            limit.ms.push(r.ms);
            rows.limitInserted = n[0]?.n ?? 0;
          }
        } finally {
          await db.close();
          await bench.drop();
        }
      }
      progress(
        `run ${i + 1}: ours ${round(ours.ms.at(-1) ?? 0)} ms${noPython ? "" : `, python ${round(python.ms.at(-1) ?? 0)} ms`}, limit ${round(limit.ms.at(-1) ?? 0)} ms`,
      );
    }
  } finally {
    await server.close();
    tmp.remove();
  }
  const seconds = (ms: number[]) => ms.map((x) => round(x / 1000, 2));
  const oursS = round(median(ours.ms) / 1000, 2);
  const detailMedians = (s: Side) =>
    Object.fromEntries(Object.entries(s.detail).map(([k, v]) => [k, median(v)]));
  const common = { records, bodyBytes: body.bytes, ...rows, oursMs: detailMedians(ours) };
  const figures: Figure[] = [];
  if (!noPython) {
    const pythonS = round(median(python.ms) / 1000, 2);
    figures.push({
      name: `peers ${label}: elt run vs the Python client`,
      value: oursS,
      unit: "s",
      runs: seconds(ours.ms),
      baseline: { name: "python per-row INSERT", value: pythonS, runs: seconds(python.ms) },
      ratio: round(median(python.ms) / median(ours.ms), 2),
      ratioLabel: "python/ours",
      target: { of: "ratio", op: ">=", value: 3 },
      detail: { ...common, pythonMs: detailMedians(python) },
    });
  }
  figures.push({
    name: `peers ${label}: elt run vs the limit`,
    value: oursS,
    unit: "s",
    runs: seconds(ours.ms),
    baseline: {
      name: "\\copy + INSERT … SELECT",
      value: round(median(limit.ms) / 1000, 2),
      runs: seconds(limit.ms),
    },
    ratio: round(median(ours.ms) / median(limit.ms), 2),
    ratioLabel: "ours/limit",
    target: { of: "ratio", op: "<=", value: 1.5 },
    detail: common,
  });
  report({
    ...(await resultHeader("peers", options, started)),
    figures,
    notes: [
      "each side on a fresh database (migrations applied, not timed), one after the other; the captured simulator response served by a local HTTP server",
      "ours: runPipeline in-process for the 24 h window: compile, extract, source checks, model build with its audits, publish; exports skipped",
      `python: ${PYTHON} bench/peers/python_client.py (urllib GET, json.loads, ast.literal_eval per passback, one psycopg2 INSERT per row, one commit), process start to exit`,
      "limit: one psql -1 call: \\copy raw.api_attempts of the records as NDJSON with load id and md5 precomputed (not timed), then INSERT … SELECT through elt.py_literal_to_jsonb into a grade-shaped table",
      ...notes,
    ],
  });
}

await main();
