import { readFileSync } from "node:fs";
import { join } from "node:path";
import { maskSecrets } from "../log/mask.ts";
import { localDate } from "../log/timestamp.ts";

/** The last `lines` lines of today's log file (masked), or [] when there is none yet. */
export function logTail(logDir: string, lines = 30, today: Date = new Date()): string[] {
  let text: string;
  try {
    text = readFileSync(join(logDir, `${localDate(today)}.log`), "utf8");
  } catch {
    return [];
  }
  return maskSecrets(text).trimEnd().split("\n").slice(-lines);
}
