/**
 * Benchmark 2, memory: peak RSS of the landing process (extract in a child process) for one
 * response of 200k and of 2M records (~1 GB) streamed by the simulator, against a naive client that
 * reads the same response with `await response.json()`. Target: ≤ 200 MB and flat in N.
 *
 *   node --import tsx bench/memory.ts [--quick] [--runs N]
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startSimulator } from "../src/simulator/index.ts";
import { createBenchDatabase } from "./lib/bench-db.ts";
import { openMigrated, quietLogs, tempDir } from "./lib/bench-project.ts";
import { addDays, BENCH_DAY, perDayFor, SEED } from "./lib/dataset.ts";
import { benchOptions, progress } from "./lib/options.ts";
import { type Figure, report, resultHeader } from "./lib/results.ts";
import { median, round } from "./lib/stats.ts";

const run = promisify(execFile);
const CHILD = new URL("./lib/landing-child.ts", import.meta.url).pathname;

interface ChildOutput {
  records: number;
  ms: number;
  startRssMb: number;
  maxRssMb: number;
  vmHwmMb?: number;
  error?: string;
}

async function child(input: Record<string, unknown>): Promise<ChildOutput> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", CHILD, JSON.stringify(input)], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as ChildOutput;
}

async function main(): Promise<void> {
  const options = benchOptions();
  quietLogs();
  const started = Date.now();
  const sizes: [number, string][] = options.quick
    ? [
        [10_000, "10k"],
        [100_000, "100k"],
      ]
    : [
        [200_000, "200k"],
        [2_000_000, "2M"],
      ];
  const tmp = tempDir("memory");
  const bench = await createBenchDatabase("memory");
  const db = await openMigrated({ url: bench.url });
  const figures: Figure[] = [];
  const notes: string[] = [];
  const oursBySize: number[] = [];
  try {
    for (const [size, label] of sizes) {
      const sim = await startSimulator({ seed: SEED, perDay: perDayFor(size) });
      const input = {
        databaseUrl: bench.url,
        apiUrl: sim.url,
        start: BENCH_DAY.toISOString(),
        end: addDays(BENCH_DAY, 1).toISOString(),
        logDir: tmp.dir,
      };
      const ours: ChildOutput[] = [];
      const naive: ChildOutput[] = [];
      try {
        for (let i = 0; i < options.runs; i++) {
          await db.query("TRUNCATE raw.api_attempts, elt.loads RESTART IDENTITY");
          ours.push(await child({ ...input, mode: "ours" }));
          naive.push(await child({ ...input, mode: "naive" }));
          progress(
            `${label} run ${i + 1}: ours ${ours.at(-1)?.maxRssMb} MB (${ours.at(-1)?.records} records), response.json() ${naive.at(-1)?.maxRssMb} MB${naive.at(-1)?.error ? ` (failed: ${naive.at(-1)?.error})` : ""}`,
          );
        }
      } finally {
        await sim.close();
      }
      const value = median(ours.map((o) => o.maxRssMb));
      oursBySize.push(value);
      const naiveValue = median(naive.map((o) => o.maxRssMb));
      notes.push(
        `${label}: ${median(ours.map((o) => o.startRssMb))} MB before landing (node, tsx and the modules loaded), +${median(ours.map((o) => o.maxRssMb - o.startRssMb))} MB at the peak of landing`,
      );
      const naiveError = naive.find((o) => o.error)?.error;
      if (naiveError)
        notes.push(`response.json() of ${label} failed: ${naiveError} (its peak RSS is up to the failure)`);
      figures.push({
        name: `landing peak RSS ${label}`,
        value,
        unit: "MB",
        runs: ours.map((o) => o.maxRssMb),
        baseline: { name: "response.json()", value: naiveValue, runs: naive.map((o) => o.maxRssMb) },
        ratio: round(naiveValue / value, 1),
        ratioLabel: "response.json()/ours",
        target: { of: "value", op: "<=", value: 200 },
        detail: {
          records: ours[0]?.records,
          landingSeconds: round(median(ours.map((o) => o.ms)) / 1000, 1),
          vmHwmMb: ours.map((o) => o.vmHwmMb),
          rssBeforeLandingMb: median(ours.map((o) => o.startRssMb)),
          landingIncrementMb: median(ours.map((o) => o.maxRssMb - o.startRssMb)),
        },
      });
    }
    const [small, large] = oursBySize as [number, number];
    figures.push({
      name: `landing peak RSS growth ${sizes[0]?.[1]} -> ${sizes[1]?.[1]} (10x records)`,
      value: round(large / small, 2),
      unit: "x",
      target: { of: "value", op: "<=", value: 1.25 },
      detail: { note: "flat in N: the larger response may cost at most 25% more memory" },
    });
  } finally {
    await db.close();
    await bench.drop();
    tmp.remove();
  }
  report({
    ...(await resultHeader("memory", options, started)),
    figures,
    notes: [
      "peak RSS = process.resourceUsage().maxRSS of a child process that only lands (node + tsx + pg + extract); the simulator streams the response from the parent",
      ...notes,
    ],
  });
}

await main();
