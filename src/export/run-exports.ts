import { ConfigError, EltError, errorMessage, exitCodeOf, isEltError, RunFailedError } from "../errors.ts";
import { log } from "../log/logger.ts";
import { maskSecrets } from "../log/mask.ts";
import type { ExportContext } from "./export-context.ts";
import { exportedModel } from "./exported-model.ts";
import { EXPORT_KEYS, EXPORTERS } from "./exporters/registry.ts";
import { latestSummaryDay } from "./read-summary.ts";
import { standaloneReport } from "./standalone-report.ts";

/** An exporter's key under `exports:` (exporters/registry.ts). */
export type ExportTarget = string;
export const EXPORT_TARGETS: readonly ExportTarget[] = EXPORT_KEYS;

/** `--date`: a real calendar day 'YYYY-MM-DD'. */
export function parseDay(text: string): string {
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
  if (!ok) throw new ConfigError(`--date: expected a day YYYY-MM-DD, got "${text}"`, { code: "USAGE" });
  return text;
}

/** Without --date: the latest day the exported model has (the last complete export). */
async function defaultDays(ctx: ExportContext): Promise<string[]> {
  let day: string | undefined;
  let relation = "the exported model";
  try {
    const model = exportedModel(ctx);
    relation = model.relation;
    day = await latestSummaryDay(ctx.db, model);
  } catch {
    // No exported model or relation at all: each exporter says so with its own hint.
    return [];
  }
  if (!day) log.warn(`${relation} has no days yet; nothing to export`);
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
      const exporter = EXPORTERS.get(target);
      if (!exporter) throw new ConfigError(`export: no exporter "${target}"`, { code: "USAGE" });
      // Only the report email reads the run ledger; the others need the days alone.
      const report =
        exporter.when === "always"
          ? await standaloneReport(ctx.db, days)
          : { status: "success" as const, days, counts: {}, stages: [], warnings: [] };
      await exporter.run(ctx, { days, report });
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
