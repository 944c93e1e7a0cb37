import { type ProjectContext, withDatabase } from "../cli/project-context.ts";
import { errorMessage, knownError } from "../errors.ts";
import type { RunReport } from "../export/run-report.ts";
import { sendReportEmail } from "../export/send-email.ts";
import { log } from "../log/logger.ts";
import { maskSecrets } from "../log/mask.ts";
import { reportEarlyFailure } from "./report-early-failure.ts";
import { type StageRecord, startRun, updateRun } from "./run-ledger.ts";
import type { RunOptions } from "./run-options.ts";

/**
 * A run refused before its pipeline for a reason of its own (the log folder cannot be written):
 * nothing runs, but the ledger gets a finished 'failed' row with the reason and the failure email
 * goes out (unless --skip-export), so the night is not lost silently. Without a database it falls
 * back to reportEarlyFailure's email. Never throws: the refusal is what the command reports.
 */
export async function recordRefusedRun(
  project: ProjectContext,
  options: RunOptions,
  reason: unknown,
): Promise<void> {
  const message = maskSecrets(errorMessage(reason));
  const stages: StageRecord[] = [{ name: "start", status: "failed", ms: 0, detail: message }];
  let recorded = false;
  try {
    await withDatabase(project, {}, async (ctx) => {
      const runId = await startRun(ctx.db, { ...options });
      await updateRun(ctx.db, runId, { status: "failed", stages, error: message });
      recorded = true;
      log.error(`run ${runId} refused: ${message}`);
      if (options.skipExport) return;
      const report: RunReport = {
        status: "failed",
        runId,
        days: [],
        counts: {},
        stages,
        warnings: [],
        error: `the run could not start: ${message}`,
      };
      try {
        await sendReportEmail(ctx, report);
      } catch (emailError) {
        log.error(`failure email not sent: ${errorMessage(emailError)}`);
      }
    });
  } catch (error) {
    const why = maskSecrets(errorMessage(knownError(error) ?? error));
    log.error(`the refused run is not in the ledger: ${why}`);
    if (!recorded && !options.skipExport) {
      await reportEarlyFailure(project, new Error(`${message}\nand the ledger could not be written: ${why}`));
    }
  }
}
