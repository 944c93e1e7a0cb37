import { ConfigError, EltError, errorMessage, exitCodeOf, isEltError, RunFailedError } from "../errors.ts";
import { log } from "../log/logger.ts";
import { maskSecrets } from "../log/mask.ts";
import type { ExportContext } from "./export-context.ts";
import { exportSheets } from "./export-sheets.ts";
import { latestSummaryDay } from "./read-summary.ts";
import { sendReportEmail } from "./send-email.ts";
import { standaloneReport } from "./standalone-report.ts";

export type ExportTarget = "sheets" | "email";
export const EXPORT_TARGETS: readonly ExportTarget[] = ["sheets", "email"];

/** `--date`: a real calendar day 'YYYY-MM-DD'. */
export function parseDay(text: string): string {
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
  if (!ok) throw new ConfigError(`--date: expected a day YYYY-MM-DD, got "${text}"`, { code: "USAGE" });
  return text;
}

/** Without --date: the latest day grade.daily_summary has (the last complete export). */
async function defaultDays(ctx: ExportContext): Promise<string[]> {
  let day: string | undefined;
  try {
    day = await latestSummaryDay(ctx.db);
  } catch {
    // No summary relation at all: each exporter says so with its own hint.
    return [];
  }
  if (!day) log.warn("grade.daily_summary has no days yet; nothing to export");
  return day ? [day] : [];
}

/**
 * `elt export`: the chosen exporters for one day, each independent of the other. A failing one
 * is logged (ERROR) and does not stop the next; the command then fails with the worst exit code.
 */
export async function runExports(
  ctx: ExportContext,
  options: { targets: readonly ExportTarget[]; date?: string },
): Promise<void> {
  const days = options.date ? [parseDay(options.date)] : await defaultDays(ctx);
  if (days.length > 0) log.info(`exporting ${days.join(", ")}: ${options.targets.join(", ")}`);
  const failures: { target: ExportTarget; error: unknown }[] = [];
  for (const target of options.targets) {
    try {
      if (target === "sheets") await exportSheets(ctx, { days });
      else await sendReportEmail(ctx, await standaloneReport(ctx.db, days));
    } catch (error) {
      if (options.targets.length === 1) throw error;
      log.error(maskSecrets(errorMessage(error)));
      if (isEltError(error) && error.hint) log.info(`hint: ${maskSecrets(error.hint)}`);
      failures.push({ target, error });
    }
  }
  if (failures.length === 0) return;
  const exitCode = Math.max(...failures.map((f) => exitCodeOf(f.error))) as 1 | 2 | 3;
  const message = `export failed: ${failures.map((f) => f.target).join(", ")}`;
  throw exitCode === 1
    ? new RunFailedError(message, { code: "EXPORT_FAILED" })
    : new EltError(message, { code: "EXPORT_FAILED", exitCode });
}
