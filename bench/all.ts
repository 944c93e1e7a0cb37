/**
 * `npm run bench`: every benchmark in turn, each in its own process (its own memory and database),
 * passing the flags through (`--quick`, `--runs N`). Prints each benchmark's summary lines; exits 1
 * when one of them failed to run (a missed target is a figure, not a failure).
 *
 *   node --import tsx bench/all.ts [--quick] [--runs N] [--only landing,memory]
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BENCHMARKS } from "./lib/benchmarks.ts";
import { machineLabel } from "./lib/machine.ts";

function runOne(name: string, args: string[]): Promise<number> {
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { stdio: "inherit" });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const at = argv.indexOf("--only");
  const only = at >= 0 ? (argv[at + 1] ?? "").split(",").filter(Boolean) : undefined;
  const pass = at >= 0 ? argv.filter((_, i) => i !== at && i !== at + 1) : argv;
  const unknown = only?.filter((n) => !(BENCHMARKS as readonly string[]).includes(n)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(", ")}; known: ${BENCHMARKS.join(", ")}\n`);
    process.exit(2);
  }
  process.stdout.write(`elt benchmarks on ${machineLabel()}${pass.length ? ` (${pass.join(" ")})` : ""}\n`);
  const started = performance.now();
  const failed: string[] = [];
  for (const name of only ?? BENCHMARKS) {
    process.stdout.write(`\n== ${name}\n`);
    const t0 = performance.now();
    const code = await runOne(name, pass);
    process.stderr.write(`  (${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
    if (code !== 0) failed.push(name);
  }
  process.stdout.write(
    `\n${failed.length ? `FAILED: ${failed.join(", ")}` : "all benchmarks ran"} in ${((performance.now() - started) / 1000).toFixed(0)} s; results in bench/results/\n`,
  );
  process.exitCode = failed.length ? 1 : 0;
}

await main();
