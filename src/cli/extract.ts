import { defineCommand } from "citty";
import { ConfigError } from "../errors.ts";
import { parseUtc } from "../extract/api-timestamp.ts";
import { extract } from "../extract/extract.ts";
import { progressReporter } from "../extract/progress-reporter.ts";
import { commonArgs } from "./common-args.ts";
import { withProject } from "./project-context.ts";

function time(name: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const d = parseUtc(text);
  if (!d)
    throw new ConfigError(`--${name}: expected YYYY-MM-DD or "YYYY-MM-DD HH:MM[:SS]" (UTC)`, {
      code: "USAGE",
    });
  return d;
}

export default defineCommand({
  meta: { name: "extract", description: "Extract a time window from the API and land it raw" },
  args: {
    ...commonArgs,
    date: { type: "string", description: "One UTC day (YYYY-MM-DD)", valueHint: "day" },
    start: { type: "string", description: "Backfill from (UTC, inclusive)", valueHint: "time" },
    end: { type: "string", description: "Backfill up to (UTC, exclusive; default now)", valueHint: "time" },
    force: { type: "boolean", description: "Fetch windows again even if already landed" },
  },
  async run({ args }) {
    if (args.date && (args.start || args.end)) {
      throw new ConfigError("--date cannot be combined with --start/--end", { code: "USAGE" });
    }
    const day = time("date", args.date);
    const start = day ?? time("start", args.start);
    const end = day ? new Date(day.getTime() + 86_400_000) : time("end", args.end);
    if (end && !start) throw new ConfigError("--end needs --start", { code: "USAGE" });
    await withProject(args, {}, async ({ db, config }) => {
      const progress = progressReporter();
      try {
        await extract({ db, config }, { start, end, force: args.force, onProgress: progress.onProgress });
      } finally {
        progress.stop();
      }
    });
  },
});
