import type { ArgsDef } from "citty";
import { ConfigError } from "../errors.ts";
import { parseUtc, shortUtc } from "../extract/api-timestamp.ts";

/** `--date` / `--start` / `--end`: shared by `elt run` and `elt extract`. */
export const windowArgs = {
  date: { type: "string", description: "One UTC day (YYYY-MM-DD)", valueHint: "day" },
  start: {
    type: "string",
    description: "Backfill from (UTC date or timestamp, inclusive)",
    valueHint: "time",
  },
  end: { type: "string", description: "Backfill up to (UTC, exclusive; default now)", valueHint: "time" },
  "accept-incomplete": {
    type: "boolean",
    description: "Count answers that look incomplete as landed (the days really were that quiet)",
  },
} as const satisfies ArgsDef;

function time(flag: string, text: string): Date {
  const d = parseUtc(text);
  if (!d) {
    throw new ConfigError(`--${flag}: expected YYYY-MM-DD or "YYYY-MM-DD HH:MM[:SS]" (UTC), got "${text}"`, {
      code: "USAGE",
    });
  }
  return d;
}

/**
 * The API has nothing after now: a window starting later is a mistyped date (exit 2), said before
 * `elt run` records a run or sends an email, rather than a silent "nothing to fetch".
 */
function notInFuture(start: Date, now: Date): void {
  if (start >= now) {
    throw new ConfigError(`--start is in the future: ${shortUtc(start)} (UTC now ${shortUtc(now)})`, {
      code: "USAGE",
      hint: "--date and --start take UTC days or times up to now",
    });
  }
}

/** --date D, or --start A [--end B] (end defaults to now); neither means incremental. */
export function parseWindow(
  args: { date?: string; start?: string; end?: string },
  now: Date = new Date(),
): {
  start?: Date;
  end?: Date;
} {
  if (args.date && (args.start || args.end)) {
    throw new ConfigError("--date cannot be combined with --start/--end", { code: "USAGE" });
  }
  if (args.date !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(args.date.trim())) {
      throw new ConfigError(`--date: expected YYYY-MM-DD, got "${args.date}"`, { code: "USAGE" });
    }
    const start = time("date", args.date);
    notInFuture(start, now);
    return { start, end: new Date(start.getTime() + 86_400_000) };
  }
  if (args.end !== undefined && args.start === undefined) {
    throw new ConfigError("--end needs --start", { code: "USAGE" });
  }
  if (args.start === undefined) return {};
  const start = time("start", args.start);
  const end = args.end === undefined ? undefined : time("end", args.end);
  if (end && end <= start) throw new ConfigError("--end must be after --start", { code: "USAGE" });
  notInFuture(start, now);
  return end ? { start, end } : { start };
}
