const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Local calendar date `YYYY-MM-DD`: names the day's log file. */
export function localDate(d: Date = new Date()): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Local `YYYY-MM-DD HH:MM:SS.mmm`: starts every log file line. */
export function localTimestamp(d: Date = new Date()): string {
  return `${localDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** `850 ms`, `12.3 s`, `4 min 05 s`: durations in log lines. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
}
