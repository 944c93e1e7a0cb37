import type { TimeWindow } from "./load-ledger.ts";

/** Cuts [start, end) into consecutive windows of `hours`, the last one shorter if need be. */
export function planWindows(start: Date, end: Date, hours: number): TimeWindow[] {
  const step = hours * 3_600_000;
  const windows: TimeWindow[] = [];
  for (let t = start.getTime(); t < end.getTime(); t += step) {
    windows.push({ start: new Date(t), end: new Date(Math.min(t + step, end.getTime())) });
  }
  return windows;
}
