import { shortUtc } from "./api-timestamp.ts";
import type { TimeWindow } from "./load-ledger.ts";

/** `[start, end)` in short UTC text, for log lines and messages. */
export function windowLabel(w: TimeWindow): string {
  return `[${shortUtc(w.start)}, ${shortUtc(w.end)})`;
}
