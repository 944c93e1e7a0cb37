import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serverVersion } from "./bench-db.ts";
import { type Machine, machine, machineLabel } from "./machine.ts";
import type { BenchOptions } from "./options.ts";
import { round } from "./stats.ts";

export const RESULTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "results");

export interface Target {
  /** "ratio" compares the figure's ratio; "value" its own value. */
  of: "ratio" | "value";
  op: ">=" | "<=";
  value: number;
}

export interface Figure {
  /** What is measured, e.g. "landing 100k". */
  name: string;
  /** Ours (median). */
  value: number;
  unit: string;
  /** Every run's value, in order. */
  runs?: number[];
  baseline?: { name: string; value: number; runs?: number[] };
  /** value ÷ baseline (or as the figure defines it; `ratioLabel` says how). */
  ratio?: number;
  ratioLabel?: string;
  target?: Target;
  /** Extra facts (row counts, per-stage times...). */
  detail?: Record<string, unknown>;
}

export function targetMet(f: Figure): boolean | undefined {
  if (!f.target) return undefined;
  const x = f.target.of === "ratio" ? f.ratio : f.value;
  if (x === undefined || Number.isNaN(x)) return undefined;
  return f.target.op === ">=" ? x >= f.target.value : x <= f.target.value;
}

function num(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString("en-US");
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** One line per figure: ours, the baseline, the ratio, the target and whether it is met, the machine. */
export function summaryLine(f: Figure, m: Machine = machine()): string {
  const parts = [`${f.name}: ${num(f.value)} ${f.unit}`];
  if (f.baseline) parts.push(`${f.baseline.name} ${num(f.baseline.value)} ${f.unit}`);
  if (f.ratio !== undefined) parts.push(`${f.ratioLabel ?? "ratio"} ${num(f.ratio)}`);
  const met = targetMet(f);
  if (f.target) {
    const subject = f.target.of === "ratio" ? (f.ratioLabel ?? "ratio") : f.unit;
    parts.push(`target ${subject} ${f.target.op} ${f.target.value}: ${met ? "met" : "MISSED"}`);
  }
  return `${parts.join(", ")} | ${machineLabel(m)}`;
}

export interface BenchResult {
  benchmark: string;
  /** How to reproduce it. */
  command: string;
  quick: boolean;
  runs: number;
  startedAt: string;
  seconds: number;
  machine: Machine;
  database?: string;
  figures: Figure[];
  notes?: string[];
}

/** What every result says about how and where it was measured. */
export async function resultHeader(
  benchmark: string,
  options: BenchOptions,
  startedMs: number,
  /** The benchmark's own flags this run used (e.g. `--reuse`): the command must reproduce it. */
  ownFlags: string[] = [],
): Promise<Omit<BenchResult, "figures" | "notes">> {
  return {
    benchmark,
    command: [
      `node --import tsx bench/${benchmark}.ts`,
      ...(options.quick ? ["--quick"] : []),
      `--runs ${options.runs}`,
      ...ownFlags,
    ].join(" "),
    quick: options.quick,
    runs: options.runs,
    startedAt: new Date(startedMs).toISOString(),
    seconds: round((Date.now() - startedMs) / 1000, 1),
    machine: machine(),
    database: await serverVersion(),
  };
}

/**
 * Prints the summary lines and writes bench/results/<name>.json (quick runs go to
 * <name>.quick.json, so a development run never overwrites the recorded full figures).
 */
export function report(result: BenchResult): string {
  for (const f of result.figures) {
    const line = summaryLine({ ...f }, result.machine);
    process.stdout.write(`${line}\n`);
    (f as Figure & { met?: boolean; line?: string }).met = targetMet(f);
    (f as Figure & { line?: string }).line = line;
  }
  for (const note of result.notes ?? []) process.stdout.write(`  note: ${note}\n`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${result.benchmark}${result.quick ? ".quick" : ""}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
