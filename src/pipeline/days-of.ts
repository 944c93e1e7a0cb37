const DAY_MS = 86_400_000;

/**
 * The UTC dates a window [start, end) touches, oldest first: the days whose summaries the run
 * exports. An end exactly at midnight does not touch that day.
 */
export function daysOf(start: Date, end: Date): string[] {
  const days: string[] = [];
  if (end <= start) return days;
  const last = end.getTime() - 1;
  for (let t = Math.floor(start.getTime() / DAY_MS) * DAY_MS; t <= last; t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}
