import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { localDate } from "./timestamp.ts";

const DATED_LOG = /^(\d{4})-(\d{2})-(\d{2})\.log$/;

/**
 * Deletes the tool's own dated log files (`YYYY-MM-DD.log`) older than the retention window:
 * `retentionDays` 3 keeps today and the two days before. Nothing else in the folder is touched.
 * Returns the deleted file names.
 */
export function pruneLogs(dir: string, retentionDays: number, today: Date = new Date()): string[] {
  const oldest = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (retentionDays - 1));
  const cutoff = localDate(oldest);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const deleted: string[] = [];
  for (const name of names.sort()) {
    const m = DATED_LOG.exec(name);
    if (!m || `${m[1]}-${m[2]}-${m[3]}` >= cutoff) continue;
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    rmSync(path);
    deleted.push(name);
  }
  return deleted;
}
