/**
 * The landing process of the memory benchmark, run as a child so its peak RSS is its own:
 *   node --import tsx bench/lib/landing-child.ts '{"mode":"ours","databaseUrl":...,"apiUrl":...,"start":...,"end":...}'
 * Prints one JSON line: records, ms, startRssMb (after loading the modules), maxRssMb
 * (process.resourceUsage) and vmHwmMb (/proc).
 * mode "ours" runs extract(); mode "naive" is the usual client: `await response.json()` of the body.
 */
import { readFileSync } from "node:fs";
import { openDatabase } from "../../src/db/open-database.ts";
import { extract } from "../../src/extract/extract.ts";
import { benchConfig, quietLogs } from "./bench-project.ts";
import { apiTime } from "./dataset.ts";

interface ChildInput {
  mode: "ours" | "naive";
  databaseUrl: string;
  apiUrl: string;
  start: string;
  end: string;
  logDir: string;
}

function vmHwmMb(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  // The process before any landing work: node, tsx and the tool's modules loaded.
  const startRssMb = Math.round(process.memoryUsage().rss / 1048576);
  const input = JSON.parse(process.argv[2] ?? "{}") as ChildInput;
  const start = new Date(input.start);
  const end = new Date(input.end);
  const t0 = performance.now();
  let records = 0;
  let error: string | undefined;
  if (input.mode === "ours") {
    quietLogs();
    const config = benchConfig({
      databaseUrl: input.databaseUrl,
      apiUrl: input.apiUrl,
      logDir: input.logDir,
    });
    const db = await openDatabase({ url: input.databaseUrl, embeddedDir: "" });
    try {
      records = (await extract({ db, config }, { start, end, force: true })).records;
    } finally {
      await db.close();
    }
  } else {
    const url = new URL(input.apiUrl);
    url.searchParams.set("client", "demo");
    url.searchParams.set("client_key", "demo-key");
    url.searchParams.set("start", apiTime(start));
    url.searchParams.set("end", apiTime(end));
    try {
      const body = (await (await fetch(url)).json()) as unknown[];
      records = body.length;
    } catch (e) {
      error = (e as Error).message;
    }
  }
  const ms = Math.round(performance.now() - t0);
  const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(
    `${JSON.stringify({ records, ms, startRssMb, maxRssMb, vmHwmMb: vmHwmMb(), error })}\n`,
  );
}

await main();
