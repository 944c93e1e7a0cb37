import { apiTimestamp } from "./api-timestamp.ts";
import { isApiTime } from "./is-api-time.ts";
import type { TimeWindow } from "./load-ledger.ts";

/**
 * A window bound as canonical API text without trailing fraction zeros (`2024-01-15 00:00:00`,
 * `… 00:00:00.815`): compared as text, `…:00.815000` is then not below `…:00.815`, and `…:00` not below
 * `…:00`, so text order is time order for every canonical spelling of a record's time.
 */
export function boundText(d: Date): string {
  return apiTimestamp(d).replace(/\.?0+$/, "");
}

/**
 * Whether a record's time (its extract.record_time as `->>` gives it) is outside the window: a real
 * time (an unreadable one is not outside: the models quarantine it) before the start or at or after
 * the end. Times compare as text against the bounds (see boundText), a 'T' separator read as a space.
 */
export function outsideWindow(window: TimeWindow): (time: string | undefined) => boolean {
  const start = boundText(window.start);
  const end = boundText(window.end);
  return (time) => {
    if (time === undefined) return false;
    const t = time.charCodeAt(10) === 84 /* T */ ? `${time.slice(0, 10)} ${time.slice(11)}` : time;
    return (t < start || t >= end) && isApiTime(time);
  };
}
