/**
 * Benchmark 1, landing throughput: N simulator records landed into raw.api_attempts by `extract`
 * (HTTP download, streaming split, hashing, COPY straight into raw or through the duplicate path, load
 * ledger) against `psql \copy` of the same records into the same table. Target: ours ≥ 0.8 of \copy.
 *
 *   node --import tsx bench/landing.ts [--quick] [--runs N]
 */
import { join } from "node:path";
import type { Database } from "../src/db/database.ts";
import { extract } from "../src/extract/extract.ts";
import { createBenchDatabase } from "./lib/bench-db.ts";
import { benchConfig, openMigrated, quietLogs, tempDir } from "./lib/bench-project.ts";
import { startCommandRunner } from "./lib/command-runner.ts";
import { addDays, BENCH_DAY, captureWindow, perDayFor, writeCopyFile } from "./lib/dataset.ts";
import { benchOptions, progress } from "./lib/options.ts";
import { startReplayServer } from "./lib/replay-server.ts";
import { type Figure, report, resultHeader } from "./lib/results.ts";
import { median, perSecond, round, timed } from "./lib/stats.ts";

async function reset(db: Database): Promise<void> {
  await db.query("TRUNCATE raw.api_attempts, elt.loads RESTART IDENTITY");
  // Same starting state for both: no dead tuples, settled WAL.
  await db.query("CHECKPOINT");
}

async function landingFigure(size: number, label: string, runs: number): Promise<Figure> {
  const tmp = tempDir("landing");
  const bench = await createBenchDatabase(`landing_${label}`);
  const db = await openMigrated({ url: bench.url });
  try {
    const start = BENCH_DAY;
    const end = addDays(start, 1);
    progress(`${label}: generating ~${size} records with the simulator`);
    const body = await captureWindow({
      perDay: perDayFor(size),
      start,
      end,
      file: join(tmp.dir, "body.json"),
    });
    const copyFile = join(tmp.dir, "records.tsv");
    const records = await writeCopyFile(body.file, copyFile);
    const server = await startReplayServer(body.file);
    const config = benchConfig({ databaseUrl: bench.url, apiUrl: server.url, logDir: tmp.dir });
    // psql runs from a shell started now: spawning it from this process before each \copy would
    // tax the next in-process landing with the fork's copy-on-write faults (command-runner.ts).
    const shell = startCommandRunner();
    const ours: number[] = [];
    const base: number[] = [];
    try {
      for (let i = 0; i < runs; i++) {
        // Alternate the order so neither side always runs on a warmer cache.
        const sides = i % 2 === 0 ? ["ours", "copy"] : ["copy", "ours"];
        for (const side of sides) {
          await reset(db);
          if (side === "ours") {
            const { value, ms } = await timed(() => extract({ db, config }, { start, end, force: true }));
            if (value.inserted !== records) throw new Error(`extract landed ${value.inserted} of ${records}`);
            ours.push(perSecond(records, ms));
          } else {
            const { ms } = await timed(() =>
              shell.run("psql", [
                ...bench.psqlArgs,
                "-v",
                "ON_ERROR_STOP=1",
                "-qc",
                `\\copy raw.api_attempts (load_id, record, record_hash) FROM '${copyFile}'`,
              ]),
            );
            const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM raw.api_attempts");
            if (rows[0]?.n !== records) throw new Error(`\\copy landed ${rows[0]?.n} of ${records}`);
            base.push(perSecond(records, ms));
          }
        }
        progress(`${label} run ${i + 1}: ours ${ours.at(-1)} rows/s, \\copy ${base.at(-1)} rows/s`);
      }
    } finally {
      shell.close();
      await server.close();
    }
    const value = median(ours);
    const baseline = median(base);
    return {
      name: `landing ${label}`,
      value,
      unit: "rows/s",
      runs: ours,
      baseline: { name: "psql \\copy", value: baseline, runs: base },
      ratio: round(value / baseline, 2),
      ratioLabel: "ours/\\copy",
      target: { of: "ratio", op: ">=", value: 0.8 },
      detail: { records, bodyBytes: body.bytes, bytesPerRecord: round(body.bytes / records, 1) },
    };
  } finally {
    await db.close();
    await bench.drop();
    tmp.remove();
  }
}

async function main(): Promise<void> {
  const options = benchOptions();
  quietLogs();
  const started = Date.now();
  const sizes: [number, string][] = options.quick
    ? [[20_000, "20k"]]
    : [
        [100_000, "100k"],
        [1_000_000, "1M"],
      ];
  const figures: Figure[] = [];
  for (const [size, label] of sizes) figures.push(await landingFigure(size, label, options.runs));
  report({
    ...(await resultHeader("landing", options, started)),
    figures,
    notes: [
      "ours: extract() of one 24 h window from a local HTTP server replaying the simulator's captured response (download, split, record hash and key in Node, binary COPY straight into raw.api_attempts while no duplicate can be met, load ledger), one transaction",
      "baseline: psql \\copy raw.api_attempts (load_id, record, record_hash) of the same records as NDJSON lines, with load id and md5 precomputed (not timed); psql started from a shell the benchmark forked once, not from the benchmark process before each run",
    ],
  });
}

await main();
