/**
 * Benchmark 5, the whole run: `elt run --date D` (the real binary, a child process) for one day
 * of ~10k simulator records, on the PostgreSQL server and on the embedded PostgreSQL, each stage's time read from elt.runs.
 * Each repetition is the next day on the same database, as the nightly job runs: the first `elt
 * migrate` (creating the database and its tables) is setup, not part of the figure.
 * Targets: ≤ 2 s on PostgreSQL, ≤ 2.5 s on the embedded PostgreSQL (issue 11).
 *
 * `--profile DIR` runs the last repetition under `node --cpu-prof` and prints where the time went.
 *
 *   node --import tsx bench/run.ts [--quick] [--runs N] [--profile DIR]
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { openDatabase } from "../src/db/open-database.ts";
import type { StageRecord } from "../src/pipeline/run-ledger.ts";
import { startSimulator } from "../src/simulator/index.ts";
import { createBenchDatabase } from "./lib/bench-db.ts";
import { PROJECT_DIR, quietLogs } from "./lib/bench-project.ts";
import { addDays, BENCH_DAY, perDayFor, SEED } from "./lib/dataset.ts";
import { benchOptions, progress } from "./lib/options.ts";
import { type Figure, report, resultHeader } from "./lib/results.ts";
import { median, round, timed } from "./lib/stats.ts";
import { tempProject } from "./lib/temp-project.ts";
import { summarize } from "./profile-summary.ts";

const exec = promisify(execFile);
const BIN = join(PROJECT_DIR, "bin", "elt.mjs");

async function elt(args: string[], projectDir: string, profileDir?: string): Promise<void> {
  const node = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  try {
    await exec(process.execPath, [...node, BIN, ...args, "--project-dir", projectDir], {
      maxBuffer: 16 << 20,
    });
  } catch (error) {
    const e = error as Error & { stderr?: string; code?: number };
    throw new Error(`elt ${args.join(" ")} exited ${e.code}: ${(e.stderr ?? e.message).slice(-3000)}`);
  }
}

interface RunRow {
  id: number;
  status: string;
  stages: StageRecord[];
  counts: Record<string, number>;
  total_ms: number;
  started_ms: number;
  finished_ms: number;
}

async function engineFigures(
  engine: "PostgreSQL" | "embedded",
  size: number,
  runs: number,
  profileDir?: string,
): Promise<Figure[]> {
  const sim = await startSimulator({ seed: SEED, perDay: perDayFor(size) });
  const bench = engine === "PostgreSQL" ? await createBenchDatabase("run") : undefined;
  const project = tempProject({ databaseUrl: bench?.url, apiUrl: sim.url, prefix: "run" });
  try {
    const setup = await timed(() => elt(["migrate"], project.dir));
    progress(`${engine}: migrate (setup) ${Math.round(setup.ms)} ms`);
    const walls: number[] = [];
    const spawned: number[] = [];
    const exited: number[] = [];
    for (let i = 0; i < runs; i++) {
      const day = addDays(BENCH_DAY, i).toISOString().slice(0, 10);
      const profile = profileDir && i === runs - 1 ? join(profileDir, engine) : undefined;
      spawned.push(Date.now());
      const { ms } = await timed(() => elt(["run", "--date", day], project.dir, profile));
      exited.push(Date.now());
      if (profile) {
        for (const file of readdirSync(profile).filter((f) => f.endsWith(".cpuprofile"))) {
          const text = summarize(JSON.parse(readFileSync(join(profile, file), "utf8")), 12);
          process.stderr.write(`${engine} profile ${join(profile, file)}\n${text}\n`);
        }
      }
      walls.push(Math.round(ms));
      progress(`${engine} run ${i + 1} (${day}): ${Math.round(ms)} ms`);
    }
    const db = await openDatabase({ url: bench?.url, embeddedDir: project.embeddedDir });
    let rows: RunRow[];
    try {
      ({ rows } = await db.query<RunRow>(
        `SELECT id, status, stages, counts,
           (extract(epoch FROM finished_at - started_at) * 1000)::int AS total_ms,
           (extract(epoch FROM started_at) * 1000)::float8 AS started_ms,
           (extract(epoch FROM finished_at) * 1000)::float8 AS finished_ms
         FROM elt.runs ORDER BY id`,
      ));
    } finally {
      await db.close();
    }
    const failed = rows.filter((r) => r.status !== "success");
    if (failed.length > 0) throw new Error(`${engine}: runs failed: ${JSON.stringify(failed)}`);
    const stageNames = [...new Set(rows.flatMap((r) => r.stages.map((s) => s.name)))];
    const stages = Object.fromEntries(
      stageNames.map((name) => [
        name,
        median(rows.map((r) => r.stages.find((s) => s.name === name)?.ms ?? 0)),
      ]),
    );
    const records = median(rows.map((r) => Number(r.counts.landed ?? 0)));
    const figures: Figure[] = [
      {
        name: `elt run 1 day ${engine}`,
        value: round(median(walls) / 1000, 2),
        unit: "s",
        runs: walls.map((w) => round(w / 1000, 2)),
        // Issue 11: ≤ 2 s on the server, ≤ 2.5 s on the embedded PostgreSQL.
        target: { of: "value", op: "<=", value: engine === "PostgreSQL" ? 2 : 2.5 },
        detail: {
          records,
          stagesMs: stages,
          ledgerMs: median(rows.map((r) => r.total_ms)),
          setupMigrateMs: Math.round(setup.ms),
          counts: rows.map((r) => r.counts),
          wall: "process start to exit of `elt run --date D` (node, tsx, config, connect, lock, migrations check, stages)",
        },
      },
    ];
    for (const [name, ms] of Object.entries(stages)) {
      figures.push({ name: `  stage ${name} ${engine}`, value: round(ms / 1000, 2), unit: "s" });
    }
    // The rest of the wall time, from the run ledger's own clock (same machine): before the run row
    // is written, between the stages, after the run row is finished.
    const before = median(rows.map((r, i) => r.started_ms - (spawned[i] ?? r.started_ms)));
    const between = median(rows.map((r) => r.total_ms - r.stages.reduce((a, st) => a + st.ms, 0)));
    const after = median(rows.map((r, i) => (exited[i] ?? r.finished_ms) - r.finished_ms));
    figures.push(
      {
        name: `  before the run starts ${engine} (process start, module loading, config, connect, lock, migrations check)`,
        value: round(before / 1000, 2),
        unit: "s",
      },
      {
        name: `  inside the run, between the stages ${engine} (landing counts, run ledger)`,
        value: round(between / 1000, 2),
        unit: "s",
      },
      { name: `  after the run ${engine} (close, exit)`, value: round(after / 1000, 2), unit: "s" },
    );
    return figures;
  } finally {
    await sim.close();
    project.remove();
    await bench?.drop();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const at = argv.indexOf("--profile");
  const profileDir = at >= 0 ? resolve(argv[at + 1] ?? "bench-profiles") : undefined;
  const options = benchOptions(at >= 0 ? argv.filter((_, i) => i !== at && i !== at + 1) : argv);
  quietLogs();
  const started = Date.now();
  const size = 10_000;
  const figures: Figure[] = [];
  figures.push(...(await engineFigures("PostgreSQL", size, options.runs, profileDir)));
  figures.push(...(await engineFigures("embedded", size, options.runs, profileDir)));
  report({
    ...(await resultHeader("run", options, started)),
    figures,
    notes: [
      "each repetition is `node bin/elt.mjs run --date D` for the next day on the same database (the nightly job); stage times from elt.runs.stages; the simulator answers at once from the benchmark process",
      "exporters are not configured in the benchmark project, so the sheets export and email stages only check their configuration",
    ],
  });
}

await main();
