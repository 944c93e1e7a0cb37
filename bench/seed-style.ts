/**
 * Benchmark 6, against a seed-style client: the same simulator records loaded by
 * bench/seed-style-baseline.ts (response.json(), a Python-literal parse in the client, one
 * parameterised INSERT and round trip per row) against ours: extract (landing) and extract followed
 * by a full build of the shipped models (parsed and typed rows in grade.*). Target ≥ 20×.
 *
 *   node --import tsx bench/seed-style.ts [--quick] [--runs N]
 */
import { join } from "node:path";
import type { Database } from "../src/db/database.ts";
import { extract } from "../src/extract/extract.ts";
import { buildModels } from "../src/transform/build-models.ts";
import { createBenchDatabase } from "./lib/bench-db.ts";
import { benchConfig, openMigrated, quietLogs, tempDir } from "./lib/bench-project.ts";
import { addDays, BENCH_DAY, captureWindow, perDayFor } from "./lib/dataset.ts";
import { shippedPlan } from "./lib/models.ts";
import { benchOptions, progress } from "./lib/options.ts";
import { startReplayServer } from "./lib/replay-server.ts";
import { type Figure, report, resultHeader } from "./lib/results.ts";
import { median, perSecond, round, timed } from "./lib/stats.ts";
import { SEED_STYLE_TABLE, seedStyleLoad } from "./seed-style-baseline.ts";

async function resetOurs(db: Database): Promise<void> {
  await db.query("TRUNCATE raw.api_attempts, elt.loads RESTART IDENTITY");
}

async function main(): Promise<void> {
  const options = benchOptions();
  quietLogs();
  const started = Date.now();
  const [size, label] = options.quick ? [5_000, "5k"] : [100_000, "100k"];
  const tmp = tempDir("seed-style");
  const bench = await createBenchDatabase("seed_style");
  const db = await openMigrated({ url: bench.url });
  const figures: Figure[] = [];
  const notes: string[] = [];
  try {
    const start = BENCH_DAY;
    const end = addDays(start, 1);
    progress(`generating ~${size} records with the simulator`);
    const body = await captureWindow({
      perDay: perDayFor(size),
      start,
      end,
      file: join(tmp.dir, "body.json"),
    });
    const server = await startReplayServer(body.file);
    const config = benchConfig({ databaseUrl: bench.url, apiUrl: server.url, logDir: tmp.dir });
    const { plan, why } = await shippedPlan(config);
    if (why) notes.push(`landing + models not measured: ${why}`);
    const seed: number[] = [];
    const landing: number[] = [];
    const full: number[] = [];
    const modelMs: Record<string, number[]> = {};
    const phaseMs: { extract: number[]; build: number[] } = { extract: [], build: [] };
    let records = 0;
    let seedInserted = 0;
    try {
      for (let i = 0; i < options.runs; i++) {
        await db.query(`DROP TABLE IF EXISTS ${SEED_STYLE_TABLE}`);
        const s = await timed(() =>
          seedStyleLoad({ apiUrl: server.url, databaseUrl: bench.url, start, end }),
        );
        records = s.value.records;
        seedInserted = s.value.inserted;
        seed.push(perSecond(records, s.ms));

        await resetOurs(db);
        const l = await timed(() => extract({ db, config }, { start, end, force: true }));
        if (l.value.inserted !== records) throw new Error(`extract landed ${l.value.inserted} of ${records}`);
        landing.push(perSecond(records, l.ms));

        if (plan) {
          await resetOurs(db);
          const f = await timed(async () => {
            const e = await timed(() => extract({ db, config }, { start, end, force: true }));
            const { value: results, ms: buildMs } = await timed(
              async () => (await buildModels(db, plan, { fullRefresh: true })).models,
            );
            phaseMs.extract.push(Math.round(e.ms));
            phaseMs.build.push(Math.round(buildMs));
            for (const r of results) modelMs[r.name] = [...(modelMs[r.name] ?? []), Math.round(r.ms)];
            const failed = results.filter((r) => r.status !== "success");
            if (failed.length > 0)
              throw new Error(`models failed: ${failed.map((r) => `${r.name}: ${r.error}`).join("; ")}`);
          });
          full.push(perSecond(records, f.ms));
        }
        progress(
          `run ${i + 1}: seed-style ${seed.at(-1)} rows/s, ours landing ${landing.at(-1)} rows/s${plan ? `, ours landing + models ${full.at(-1)} rows/s` : ""}`,
        );
      }
    } finally {
      await server.close();
    }
    const seedValue = median(seed);
    const baseline = { name: "seed-style per-row INSERT", value: seedValue, runs: seed };
    const detail = {
      records,
      seedStyleInserted: seedInserted,
      seedStyleSeconds: round(records / seedValue, 1),
    };
    figures.push({
      name: `seed-style ${label}: landing`,
      value: median(landing),
      unit: "rows/s",
      runs: landing,
      baseline,
      ratio: round(median(landing) / seedValue, 1),
      ratioLabel: "ours/seed-style",
      target: { of: "ratio", op: ">=", value: 20 },
      detail,
    });
    if (plan) {
      figures.push({
        name: `seed-style ${label}: landing + model build`,
        value: median(full),
        unit: "rows/s",
        runs: full,
        baseline,
        ratio: round(median(full) / seedValue, 1),
        ratioLabel: "ours/seed-style",
        target: { of: "ratio", op: ">=", value: 20 },
        detail: {
          ...detail,
          extractMs: median(phaseMs.extract),
          fullBuildMs: median(phaseMs.build),
          modelMs: Object.fromEntries(Object.entries(modelMs).map(([k, v]) => [k, median(v)])),
        },
      });
    }
  } finally {
    await db.close();
    await bench.drop();
    tmp.remove();
  }
  report({
    ...(await resultHeader("seed-style", options, started)),
    figures,
    notes: [
      "both read the same captured simulator response from a local HTTP server; rows/s = records in the response ÷ wall time from request to commit",
      "seed-style: bench/seed-style-baseline.ts (response.json(), Python-literal parse in the client, one INSERT round trip per row, one transaction)",
      ...notes,
    ],
  });
}

await main();
