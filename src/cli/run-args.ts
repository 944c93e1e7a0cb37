import type { ArgsDef } from "citty";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../errors.ts";
import type { RunOptions } from "../pipeline/run-options.ts";

/** `elt run`'s own flags (beside commonArgs). */
export const runArgs = {
  date: { type: "string", description: "Backfill one UTC day (YYYY-MM-DD)", valueHint: "day" },
  start: { type: "string", description: "Backfill from (UTC date or timestamp)", valueHint: "time" },
  end: {
    type: "string",
    description: "Backfill until, exclusive (UTC date or timestamp)",
    valueHint: "time",
  },
  force: { type: "boolean", description: "Re-extract windows already landed" },
  "full-refresh": { type: "boolean", description: "Rebuild incremental models from scratch" },
  select: { type: "string", description: "Models to build (name, +name, name+, tag:x, path:dir)" },
  exclude: { type: "string", description: "Models to leave out (same grammar)" },
  vars: { type: "string", description: "Values for {{var}} as YAML or JSON, e.g. '{\"k\": 1}'" },
  "skip-export": { type: "boolean", description: "Do not write the sheet or send the email" },
} as const satisfies ArgsDef;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?Z?$/;

/** A UTC instant from `YYYY-MM-DD` or `YYYY-MM-DD HH:MM[:SS[.ffffff]]`; no zone means UTC. */
export function parseUtc(flag: string, text: string): Date {
  const t = text.trim();
  if (!DAY.test(t) && !TIMESTAMP.test(t)) {
    throw new ConfigError(`--${flag}: expected YYYY-MM-DD or "YYYY-MM-DD HH:MM:SS" (UTC), got "${text}"`, {
      code: "USAGE",
    });
  }
  const iso = DAY.test(t) ? `${t}T00:00:00Z` : `${t.replace(" ", "T").replace(/Z?$/, "")}Z`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== t.slice(0, 10)) {
    throw new ConfigError(`--${flag}: not a real date: "${text}"`, { code: "USAGE" });
  }
  return date;
}

/** The window flags: --date D, or --start A [--end B] (end defaults to now); neither means incremental. */
export function parseWindow(args: { date?: string; start?: string; end?: string }): {
  start?: Date;
  end?: Date;
} {
  if (args.date && (args.start || args.end)) {
    throw new ConfigError("--date cannot be combined with --start/--end", { code: "USAGE" });
  }
  if (args.date) {
    if (!DAY.test(args.date.trim())) throw new ConfigError(`--date: expected YYYY-MM-DD`, { code: "USAGE" });
    const start = parseUtc("date", args.date);
    return { start, end: new Date(start.getTime() + 86_400_000) };
  }
  if (args.end && !args.start) throw new ConfigError("--end needs --start", { code: "USAGE" });
  if (!args.start) return {};
  const start = parseUtc("start", args.start);
  const end = args.end ? parseUtc("end", args.end) : new Date();
  if (end <= start) throw new ConfigError("--end must be after --start", { code: "USAGE" });
  return { start, end };
}

const list = (s: string | undefined) => s?.split(/[\s,]+/).filter(Boolean);

export function parseVars(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`--vars: not YAML/JSON: ${(error as Error).message}`, { code: "USAGE" });
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError("--vars: expected a mapping, e.g. '{since: 2024-01-01}'", { code: "USAGE" });
  }
  return value as Record<string, unknown>;
}

export function parseRunArgs(args: {
  date?: string;
  start?: string;
  end?: string;
  force?: boolean;
  "full-refresh"?: boolean;
  select?: string;
  exclude?: string;
  vars?: string;
  "skip-export"?: boolean;
}): RunOptions {
  return {
    ...parseWindow(args),
    force: args.force ?? false,
    fullRefresh: args["full-refresh"] ?? false,
    select: list(args.select),
    exclude: list(args.exclude),
    vars: parseVars(args.vars),
    skipExport: args["skip-export"] ?? false,
  };
}
