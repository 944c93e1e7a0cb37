import { createHash } from "node:crypto";
import { once } from "node:events";
import { createReadStream, createWriteStream, statSync } from "node:fs";
import { copyTextLine } from "../../src/extract/copy-text.ts";
import { splitJsonArray } from "../../src/extract/split-json-array.ts";
import { countAttempts, startSimulator } from "../../src/simulator/index.ts";

export const DAY_MS = 86_400_000;
export const SEED = 42;

/** A Monday in the simulator's calendar: the benchmarks' "new day". */
export const BENCH_DAY = new Date(Date.UTC(2024, 0, 15));

export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * DAY_MS);
}

/**
 * The simulator's `perDay` that makes `day` hold about `records` attempts (the simulator scales
 * linearly; weekdays differ, so it is calibrated on the day itself).
 */
export function perDayFor(records: number, day: Date = BENCH_DAY): number {
  const probe = 50_000;
  const n = countAttempts({ seed: SEED, perDay: probe, start: day, end: addDays(day, 1) });
  return Math.max(1, Math.round((records * probe) / n));
}

export interface Captured {
  /** The response body exactly as the simulator sent it (a JSON array). */
  file: string;
  bytes: number;
}

/** Downloads one window from a simulator (in this process) into a file, untouched. */
export async function captureWindow(o: {
  perDay: number;
  start: Date;
  end: Date;
  file: string;
}): Promise<Captured> {
  const sim = await startSimulator({ seed: SEED, perDay: o.perDay });
  try {
    const url = new URL(sim.url);
    url.searchParams.set("client", "demo");
    url.searchParams.set("client_key", "demo-key");
    url.searchParams.set("start", apiTime(o.start));
    url.searchParams.set("end", apiTime(o.end));
    const response = await fetch(url);
    if (!response.ok || !response.body) throw new Error(`simulator answered ${response.status}`);
    const out = createWriteStream(o.file);
    for await (const chunk of response.body) {
      if (!out.write(chunk)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
    return { file: o.file, bytes: statSync(o.file).size };
  } finally {
    await sim.close();
  }
}

export function apiTime(d: Date): string {
  return `${d.toISOString().slice(0, 23).replace("T", " ")}000`;
}

/**
 * The same records as COPY text for `psql \copy raw.api_attempts (load_id, record, record_hash)`:
 * each NDJSON line (the element's text, COPY-escaped) with a load id and the md5 of the element text
 * as extra columns, computed here and not timed: the baseline does the least work possible.
 */
export async function writeCopyFile(bodyFile: string, file: string, loadId = 1): Promise<number> {
  const out = createWriteStream(file);
  let records = 0;
  for await (const elements of splitJsonArray(createReadStream(bodyFile, { highWaterMark: 1 << 20 }))) {
    let text = "";
    for (const element of elements) {
      const hash = createHash("md5").update(element).digest("hex");
      text += `${loadId}\t${copyTextLine(element.toString("utf8")).slice(0, -1)}\t${hash}\n`;
    }
    records += elements.length;
    if (!out.write(text)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return records;
}

/** Parses the captured body (small windows only: the whole array in memory). */
export async function readRecords(bodyFile: string): Promise<Record<string, unknown>[]> {
  const records: Record<string, unknown>[] = [];
  for await (const elements of splitJsonArray(createReadStream(bodyFile, { highWaterMark: 1 << 20 }))) {
    for (const element of elements) records.push(JSON.parse(element.toString("utf8")));
  }
  return records;
}
