/**
 * The recorded figures (bench/results/<name>.json) as Markdown, for docs/benchmarks.md and the
 * README: one table row per figure with ours, the baseline, the ratio, the target and the command.
 *
 *   node --import tsx bench/results-table.ts [--quick]
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BENCHMARKS } from "./lib/benchmarks.ts";
import { machineLabel } from "./lib/machine.ts";
import { type BenchResult, type Figure, RESULTS_DIR, targetMet } from "./lib/results.ts";

function num(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "–";
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString("en-US");
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

function row(f: Figure): string {
  const met = targetMet(f);
  const target = f.target
    ? `${f.target.of === "ratio" ? (f.ratioLabel ?? "ratio") : f.unit} ${f.target.op} ${f.target.value}: ${met ? "met" : "**missed**"}`
    : "";
  const baseline = f.baseline ? `${num(f.baseline.value)} ${f.unit} (${f.baseline.name})` : "";
  const ratio = f.ratio !== undefined ? `${num(f.ratio)} (${f.ratioLabel ?? "ratio"})` : "";
  return `| ${f.name.trim()} | ${num(f.value)} ${f.unit} | ${baseline} | ${ratio} | ${target} |`;
}

export function resultsTable(quick = false): string {
  const out: string[] = [];
  for (const name of BENCHMARKS) {
    const file = join(RESULTS_DIR, `${name}${quick ? ".quick" : ""}.json`);
    if (!existsSync(file)) {
      out.push(`### ${name}\n\nnot recorded yet\n`);
      continue;
    }
    const r = JSON.parse(readFileSync(file, "utf8")) as BenchResult;
    out.push(
      `### ${name}\n`,
      `\`${r.command}\` — ${r.startedAt.slice(0, 16).replace("T", " ")} UTC, ${machineLabel(r.machine)}, ${r.database ?? ""}, median of ${r.runs}, ${Math.round(r.seconds)} s\n`,
      "| figure | ours | baseline | ratio | target |",
      "| --- | --- | --- | --- | --- |",
      ...r.figures.map(row),
      "",
    );
  }
  return out.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${resultsTable(process.argv.includes("--quick"))}\n`);
}
