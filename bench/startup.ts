/**
 * Benchmark 7, what a new user waits for (issue 11): `npm run demo` from a fresh copy (wall time,
 * peak memory of the elt process and of the database server), then `elt --help`, `elt model list`
 * and `elt status --demo` through the documented call (`elt` after `npm link`, which runs
 * `node bin/elt.mjs`). Ours (HEAD) side by side with a baseline commit checked out beside it
 * (default: ece0262, PGlite and tsx, the last commit before issue 11), each in a fresh folder.
 * Targets: demo ≤ 8 s and ≤ 300 MB (elt + server); --help ≤ 0.4 s; model list ≤ 0.8 s;
 * status --demo ≤ 1.5 s.
 *
 *   node --import tsx bench/startup.ts [--quick] [--runs N] [--baseline REV|none]
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/package-root.ts";
import { tempDir } from "./lib/bench-project.ts";
import { benchOptions, progress } from "./lib/options.ts";
import { type Figure, report, resultHeader } from "./lib/results.ts";
import { median, round } from "./lib/stats.ts";

const DEFAULT_BASELINE = "ece0262";

interface Copy {
  label: string;
  dir: string;
}

/** The tree of a commit in a fresh folder, its dependencies installed and its build run. */
function checkout(rev: string, label: string, parent: string): Copy {
  const dir = join(parent, label);
  execFileSync("sh", [
    "-c",
    `mkdir -p '${dir}' && git -C '${PACKAGE_ROOT}' archive ${rev} | tar -x -C '${dir}'`,
  ]);
  const lock = (r: string) =>
    execFileSync("git", ["-C", PACKAGE_ROOT, "show", `${r}:package-lock.json`], { encoding: "utf8" });
  if (rev === "HEAD" || lock(rev) === lock("HEAD")) {
    // Same dependencies as the working copy: link them rather than install them again.
    symlinkSync(join(PACKAGE_ROOT, "node_modules"), join(dir, "node_modules"));
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      scripts?: Record<string, string>;
    };
    if (pkg.scripts?.build) execFileSync("npm", ["run", "--silent", "build"], { cwd: dir, stdio: "inherit" });
  } else {
    progress(`${label}: npm ci (${rev})`);
    execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: dir,
      stdio: "inherit",
    });
  }
  return { label, dir };
}

/** Proportional set size (kB) of a process and its children: shared pages counted once. */
function treePss(pid: number): number {
  let total = 0;
  const visit = (p: number) => {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, "utf8");
      total += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, "utf8").trim();
        for (const c of children ? children.split(/\s+/) : []) visit(Number(c));
      }
    } catch {
      // exited meanwhile
    }
  };
  visit(pid);
  return total;
}

/** The embedded server's postmaster for a data folder, if one runs. */
function postmaster(dataDir: string): number | undefined {
  try {
    return Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return undefined;
  }
}

/** Runs a command; wall ms, the process tree's peak PSS (MB) and the embedded server's (MB). */
async function measure(
  command: string,
  args: string[],
  cwd: string,
  serverDir?: string,
): Promise<{ ms: number; peakMb: number; serverMb: number; code: number }> {
  const t0 = performance.now();
  const child = spawn(command, args, {
    cwd,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  let peak = 0;
  let server = 0;
  const sample = () => {
    if (child.pid) peak = Math.max(peak, treePss(child.pid));
    const pm = serverDir ? postmaster(serverDir) : undefined;
    if (pm) server = Math.max(server, treePss(pm));
  };
  const timer = setInterval(sample, 50);
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  clearInterval(timer);
  const ms = performance.now() - t0;
  if (code !== 0)
    throw new Error(`${command} ${args.join(" ")} in ${cwd} exited ${code}: ${stderr.slice(-800)}`);
  return { ms, peakMb: round(peak / 1024), serverMb: round(server / 1024), code };
}

interface Measured {
  demoS: number;
  demoMb: number;
  demoServerMb: number;
  help: number[];
  list: number[];
  status: number[];
}

async function measureCopy(copy: Copy, runs: number): Promise<Measured> {
  const elt = (...args: string[]) =>
    measure(process.execPath, [join(copy.dir, "bin/elt.mjs"), ...args], copy.dir);
  // The first demo of a fresh copy: the embedded database is created then.
  const demo = await measure(
    "npm",
    ["run", "--silent", "demo"],
    copy.dir,
    join(copy.dir, ".elt/demo/pgdata"),
  );
  progress(
    `${copy.label}: npm run demo ${round(demo.ms / 1000, 2)} s, peak ${demo.peakMb} MB (+ server ${demo.serverMb} MB)`,
  );
  await elt("--help"); // warm the file cache
  const times = async (args: string[]) => {
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) ms.push(round((await elt(...args)).ms / 1000, 3));
    progress(`${copy.label}: elt ${args.join(" ")} ${ms.join(", ")} s`);
    return ms;
  };
  return {
    demoS: round(demo.ms / 1000, 2),
    demoMb: demo.peakMb + demo.serverMb,
    demoServerMb: demo.serverMb,
    help: await times(["--help"]),
    list: await times(["model", "list"]),
    status: await times(["status", "--demo"]),
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const at = argv.indexOf("--baseline");
  const baselineRev = at >= 0 ? (argv[at + 1] ?? "none") : DEFAULT_BASELINE;
  const options = benchOptions(at >= 0 ? argv.filter((_, i) => i !== at && i !== at + 1) : argv);
  const runs = options.quick ? Math.max(options.runs, 3) : Math.max(options.runs, 5);
  const started = Date.now();
  const tmp = tempDir("startup");
  try {
    const ours = await measureCopy(checkout("HEAD", "ours", tmp.dir), runs);
    const base =
      baselineRev === "none"
        ? undefined
        : await measureCopy(checkout(baselineRev, "baseline", tmp.dir), runs);
    const figure = (
      name: string,
      value: number,
      unit: string,
      baseValue: number | undefined,
      target: number,
      values?: number[],
    ): Figure => ({
      name,
      value,
      unit,
      ...(values ? { runs: values } : {}),
      ...(baseValue !== undefined
        ? {
            baseline: { name: `baseline ${baselineRev}`, value: baseValue },
            ratio: round(value / baseValue, 2),
            ratioLabel: "ours/baseline",
          }
        : {}),
      target: { of: "value", op: "<=", value: target },
    });
    const figures: Figure[] = [
      figure("npm run demo, fresh copy: wall", ours.demoS, "s", base?.demoS, 8),
      {
        ...figure(
          "npm run demo, fresh copy: peak memory (elt + database server, PSS)",
          ours.demoMb,
          "MB",
          base?.demoMb,
          300,
        ),
        detail: { serverMb: ours.demoServerMb, baselineServerMb: base?.demoServerMb ?? null },
      },
      figure("elt --help", median(ours.help), "s", base ? median(base.help) : undefined, 0.4, ours.help),
      figure("elt model list", median(ours.list), "s", base ? median(base.list) : undefined, 0.8, ours.list),
      figure(
        "elt status --demo",
        median(ours.status),
        "s",
        base ? median(base.status) : undefined,
        1.5,
        ours.status,
      ),
    ];
    report({
      ...(await resultHeader("startup", options, started, at >= 0 ? ["--baseline", baselineRev] : [])),
      figures,
      notes: [
        "each copy is `git archive` of the commit in a fresh folder (no .elt/, no logs/); ours links the working copy's node_modules and runs its build, the baseline gets `npm ci`",
        "`elt` after `npm link` is `node bin/elt.mjs`; memory is the proportional set size (shared pages once) of the elt process tree and, separately, of the embedded server's processes, sampled every 50 ms",
        `median of ${runs} for the commands; the demo once per copy (its first run creates the database)`,
      ],
    });
  } finally {
    // The demo's servers were stopped by their last command; the folders go.
    for (const dir of ["ours", "baseline"]) {
      const pgdata = join(tmp.dir, dir, ".elt/demo/pgdata");
      if (existsSync(pgdata) && postmaster(pgdata)) progress(`note: a server still runs on ${pgdata}`);
    }
    tmp.remove();
  }
}

await main();
