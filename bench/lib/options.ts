import { parseArgs } from "node:util";

export interface BenchOptions {
  /** Small sizes (development, `npm run bench -- --quick`): about a minute for everything. */
  quick: boolean;
  /** Repetitions per figure; the median is reported (default 3, or 1 with --quick). */
  runs: number;
  /** Print progress lines. */
  verbose: boolean;
}

/**
 * The flags every benchmark takes: `--quick` (or BENCH_QUICK=1) and `--runs N` (or BENCH_RUNS).
 * Unknown flags are an error, so a typo never runs the full sizes by surprise.
 */
export function benchOptions(argv = process.argv.slice(2)): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      runs: { type: "string" },
      verbose: { type: "boolean", short: "v", default: false },
    },
    strict: true,
  });
  const quick = values.quick || process.env.BENCH_QUICK === "1";
  // Quick runs are a smoke test of the scripts: one repetition unless asked for more.
  const runs = Number(values.runs ?? process.env.BENCH_RUNS ?? (quick ? 1 : 3));
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: expected a positive integer`);
  return { quick, runs, verbose: values.verbose || process.env.BENCH_VERBOSE === "1" };
}

/** A progress line on stderr (stdout holds only the summary lines). */
export function progress(text: string): void {
  process.stderr.write(`  · ${text}\n`);
}
