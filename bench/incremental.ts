/**
 * Benchmark 3, incremental build scaling: build the shipped models for one new day (~10k simulator
 * records landed by extract) on top of 1 day, 1 year and 3 years (~10M rows) of history.
 * Target: time on 3 years ÷ time on 1 day ≤ 2.
 *
 * The history is made set-based (bench/lib/history.ts: INSERT ... SELECT generate_series into
 * raw.api_attempts, ~9,000 records a day in the simulator's shape), then the models' full build
 * runs once over it, with elt.py_literal_to_jsonb swapped for the equivalent
 * `translate(src, '''', '"')::jsonb` (exact for the history's flat dicts of plain strings) so the
 * setup takes minutes, not an hour; the real parser is restored before anything is measured.
 * The 3-year history takes ~10 minutes to make on 2 cores, so it can be made ahead:
 * `--prepare` makes the histories and stops (keeping elt_bench_incremental_<size>), `--reuse` measures
 * on a kept history when there is one, `--keep` does not drop them at the end.
 *
 *   node --import tsx bench/incremental.ts [--quick] [--runs N] [--prepare] [--reuse] [--keep]
 */
import { join } from "node:path";
import type { Database } from "../src/db/database.ts";
import { openDatabase } from "../src/db/open-database.ts";
import { configureLogging } from "../src/log/logger.ts";
import { runPipeline } from "../src/pipeline/run-pipeline.ts";
import { startSimulator } from "../src/simulator/index.ts";
import { buildModels, type ModelResult } from "../src/transform/build-models.ts";
import type { ProjectPlan } from "../src/transform/plan-project.ts";
import { benchDatabase, createBenchDatabase, databaseExists } from "./lib/bench-db.ts";
import { benchConfig, openMigrated, PROJECT_DIR, quietLogs, tempDir } from "./lib/bench-project.ts";
import { addDays, BENCH_DAY, DAY_MS, perDayFor, SEED } from "./lib/dataset.ts";
import { insertHistory } from "./lib/history.ts";
import { shippedPlan } from "./lib/models.ts";
import { benchOptions, progress } from "./lib/options.ts";
import { type Figure, report, resultHeader } from "./lib/results.ts";
import { median, round, timed } from "./lib/stats.ts";

const HISTORY_PER_DAY = 9_000;
/** `--quick`'s second history: 7 days (BENCH_QUICK_DAYS to try others). */
const QUICK_DAYS = Number(process.env.BENCH_QUICK_DAYS ?? 7);
const NEW_DAY_RECORDS = 10_000;
const PARSER = "elt.py_literal_to_jsonb(text)";
// Exact for the generated history: flat dicts of single-quoted strings without quotes or
// backslashes, or such a dict cut in half (no closing brace: not a literal, NULL).
const FAST_STAND_IN = `CREATE OR REPLACE FUNCTION elt.py_literal_to_jsonb(src text) RETURNS jsonb
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
  $$ SELECT CASE WHEN right(src, 1) = '}' THEN translate(src, '''', '"')::jsonb END $$`;

interface HistorySize {
  label: string;
  days: number;
}

function failedModels(results: ModelResult[]): string | undefined {
  const bad = results.filter((r) => r.status !== "success");
  return bad.length > 0 ? bad.map((r) => `${r.name}: ${r.status} ${r.error ?? ""}`).join("; ") : undefined;
}

/** History rows in raw, then one full build of the models over them (parser swapped, then restored). */
async function makeHistory(
  db: Database,
  url: string,
  plan: ProjectPlan,
  size: HistorySize,
): Promise<Record<string, number>> {
  const start = addDays(BENCH_DAY, -size.days);
  const raw = await timed(async () => {
    // Two connections, half of the days each: both cores busy.
    const half = Math.ceil(size.days / 2);
    const parts = [
      { start, end: addDays(start, half) },
      { start: addDays(start, half), end: BENCH_DAY },
    ].filter((p) => p.end > p.start);
    const counts = await Promise.all(
      parts.map((p) =>
        insertHistory(db, { ...p, perDay: HISTORY_PER_DAY, users: 1_200 }, (done, all) => {
          if (all > 30)
            progress(`${size.label}: history ${p.start.toISOString().slice(0, 10)}+: ${done}/${all} days`);
        }),
      ),
    );
    return counts.reduce((a, b) => a + b, 0);
  });
  progress(`${size.label}: ${raw.value} history rows in raw in ${Math.round(raw.ms / 1000)} s`);
  const { rows } = await db.query<{ def: string }>(
    `SELECT pg_get_functiondef('${PARSER}'::regprocedure) AS def`,
  );
  const parser = rows[0]?.def;
  if (!parser) throw new Error(`${PARSER} is missing`);
  await db.query(FAST_STAND_IN);
  // Setup only: sorts of millions of rows in memory rather than on disk. New sessions (a pool of
  // its own) see the setting; it is reset before anything is measured.
  const dbName = new URL(url).pathname.slice(1);
  await db.query(`ALTER DATABASE "${dbName}" SET work_mem = '256MB'`);
  let build: { value: ModelResult[]; ms: number };
  try {
    const setupDb = await openDatabase({ url, embeddedDir: "" });
    try {
      build = await timed(async () => (await buildModels(setupDb, plan, { fullRefresh: true })).models);
    } finally {
      await setupDb.close();
    }
  } finally {
    await db.query(parser);
    await db.query(`ALTER DATABASE "${dbName}" RESET work_mem`);
  }
  const failed = failedModels(build.value);
  if (failed) throw new Error(`${size.label}: the history's full build failed: ${failed}`);
  await db.query("VACUUM ANALYZE");
  progress(`${size.label}: full build over the history in ${Math.round(build.ms / 1000)} s`);
  return {
    historyRows: raw.value,
    rawInsertSeconds: round(raw.ms / 1000),
    fullBuildSeconds: round(build.ms / 1000),
  };
}

/** The next days after everything landed (a kept database has days from earlier invocations). */
async function nextDay(db: Database): Promise<Date> {
  const { rows } = await db.query<{ end: Date | null }>(
    "SELECT max(window_end) AS end FROM elt.loads WHERE status = 'landed'",
  );
  const end = rows[0]?.end ?? BENCH_DAY;
  return new Date(Math.ceil(end.getTime() / DAY_MS) * DAY_MS);
}

interface Flags {
  keep: boolean;
  reuse: boolean;
  prepare: boolean;
}

/** The planner's view of each incremental model's SQL on this history: estimated rows, JIT. */
async function explainIncremental(db: Database, plan: ProjectPlan): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const m of plan.models.filter((x) => x.config.materialized === "incremental")) {
    const { rows } = await db.query<{
      "QUERY PLAN": [{ Plan: { "Plan Rows": number; "Total Cost": number }; JIT?: unknown }];
    }>(`EXPLAIN (FORMAT JSON) ${m.incrementalSql}`);
    const top = rows[0]?.["QUERY PLAN"][0];
    out[m.name] = {
      estimatedRows: top?.Plan["Plan Rows"],
      totalCost: top?.Plan["Total Cost"],
      jit: top?.JIT !== undefined,
    };
  }
  return out;
}

async function measureSize(
  size: HistorySize,
  runs: number,
  flags: Flags,
  simUrl: string,
): Promise<{ ms: number[]; detail: Record<string, unknown> }> {
  const tmp = tempDir("incremental");
  const name = `incremental_${size.label}`;
  const keep = flags.keep || flags.prepare;
  const reuse = (flags.reuse || flags.prepare) && (await databaseExists(benchDatabase(name).name));
  const bench = reuse ? benchDatabase(name) : await createBenchDatabase(name);
  const db = await openMigrated({ url: bench.url });
  try {
    const config = benchConfig({ databaseUrl: bench.url, apiUrl: simUrl, logDir: tmp.dir });
    const { plan, why } = await shippedPlan(config);
    if (!plan) throw new Error(`cannot measure incremental builds: ${why}`);
    let setup: Record<string, number> = {};
    const marker = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM elt.model_state");
    if (!reuse || marker.rows[0]?.n === 0) setup = await makeHistory(db, bench.url, plan, size);
    else progress(`${size.label}: reusing the kept history in ${bench.name}`);
    if (flags.prepare) return { ms: [], detail: setup };
    const ms: number[] = [];
    const perModel: Record<string, number[]> = {};
    // Run 0 is a warm-up (caches, plans after the history's VACUUM ANALYZE); it is not counted.
    for (let i = -1; i < runs; i++) {
      const day = await nextDay(db);
      // The whole nightly `elt run` for the day: extract, source checks, build with its audits,
      // publish (exports are skipped: they are remote calls of a fixed size).
      const run = await timed(() =>
        runPipeline(
          { db, config, projectDir: PROJECT_DIR, path: (p) => join(PROJECT_DIR, p) },
          { start: day, end: addDays(day, 1), skipExport: true },
        ),
      );
      const { rows: built } = await db.query<{
        model: string;
        status: string;
        mode: string | null;
        ms: number;
        materialized: string;
      }>("SELECT model, status, mode, ms, materialized FROM elt.model_runs WHERE run_id = $1", [
        run.value.runId,
      ]);
      const build = {
        value: built.map((b) => ({
          name: b.model,
          status: b.status,
          mode: b.mode,
          ms: b.ms,
          materialized: b.materialized,
        })),
        ms: run.ms,
      };
      const landed = { inserted: run.value.counts.landed ?? 0 };
      const failed = build.value
        .filter((r) => r.status !== "success")
        .map((r) => r.name)
        .join(", ");
      if (failed) throw new Error(`${size.label}: incremental build failed: ${failed}`);
      const full = build.value.filter((r) => r.materialized === "incremental" && r.mode !== "incremental");
      // The warm-up may build models the kept history predates (added since --prepare) in full.
      if (i >= 0 && full.length > 0)
        throw new Error(`${size.label}: not incremental: ${full.map((r) => r.name).join(", ")}`);
      progress(
        `${size.label} ${i < 0 ? "warm-up" : `run ${i + 1}`}: ${landed.inserted} new records (${day.toISOString().slice(0, 10)}), elt run ${Math.round(build.ms)} ms`,
      );
      if (i < 0) continue;
      ms.push(Math.round(build.ms));
      for (const r of build.value) perModel[r.name] = [...(perModel[r.name] ?? []), Math.round(r.ms)];
    }
    const explain = await explainIncremental(db, plan);
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::bigint AS n FROM raw.api_attempts");
    return {
      ms,
      detail: {
        rawRows: rows[0]?.n,
        ...setup,
        modelMs: Object.fromEntries(Object.entries(perModel).map(([k, v]) => [k, median(v)])),
        explain,
        keptDatabase: keep ? bench.name : undefined,
      },
    };
  } finally {
    await db.close();
    if (!keep) await bench.drop();
    tmp.remove();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const own = ["--keep", "--reuse", "--prepare"];
  const flags: Flags = {
    keep: argv.includes("--keep"),
    reuse: argv.includes("--reuse"),
    prepare: argv.includes("--prepare"),
  };
  const options = benchOptions(argv.filter((a) => !own.includes(a)));
  quietLogs();
  // The pipeline's "skipped (--skip-export)" warnings would repeat each run.
  configureLogging({ level: "error" });
  const started = Date.now();
  const sizes: HistorySize[] = options.quick
    ? [
        { label: "1d", days: 1 },
        { label: `${QUICK_DAYS}d`, days: QUICK_DAYS },
      ]
    : [
        { label: "1d", days: 1 },
        { label: "1y", days: 365 },
        { label: "3y", days: 1095 },
      ];
  const sim = await startSimulator({ seed: SEED, perDay: perDayFor(NEW_DAY_RECORDS) });
  const measured: { size: HistorySize; ms: number[]; detail: Record<string, unknown> }[] = [];
  try {
    for (const size of sizes)
      measured.push({ size, ...(await measureSize(size, options.runs, flags, sim.url)) });
  } finally {
    await sim.close();
  }
  if (flags.prepare) {
    for (const m of measured)
      process.stdout.write(`history ${m.size.label} ready: ${JSON.stringify(m.detail)}\n`);
    return;
  }
  const base = measured[0] as (typeof measured)[number];
  const baseMs = median(base.ms);
  const figures: Figure[] = measured.map((m, i) => {
    const value = round(median(m.ms) / 1000, 2);
    const f: Figure = {
      name: `nightly elt run of 1 new day on ${m.size.label} of history`,
      value,
      unit: "s",
      runs: m.ms.map((x) => round(x / 1000, 2)),
      detail: m.detail,
    };
    if (i > 0) {
      f.baseline = {
        name: `on ${base.size.label}`,
        value: round(baseMs / 1000, 2),
        runs: base.ms.map((x) => round(x / 1000, 2)),
      };
      f.ratio = round(median(m.ms) / baseMs, 2);
      f.ratioLabel = `${m.size.label}/${base.size.label}`;
      f.target = { of: "ratio", op: "<=", value: 1.5 };
    }
    return f;
  });
  report({
    ...(await resultHeader(
      "incremental",
      options,
      started,
      own.filter((f) => argv.includes(f) && f !== "--prepare"),
    )),
    figures,
    notes: [
      `history: ${HISTORY_PER_DAY} records a day inserted by SQL (generate_series) into raw.api_attempts, then one full build of the models (parser swapped for an equivalent translate()::jsonb during that build only)`,
      `each run is the nightly elt run of the next day (~${NEW_DAY_RECORDS} simulator records), in-process: extract, source checks, the incremental build with its audits, the publish; exports skipped (remote calls of a fixed size); one warm-up day first, not counted`,
    ],
  });
}

await main();
