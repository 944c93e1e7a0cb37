import type { ProjectContext } from "../cli/project-context.ts";
import { errorMessage } from "../errors.ts";
import { sendReportEmail } from "../export/send-email.ts";
import { log } from "../log/logger.ts";
import { maskSecrets } from "../log/mask.ts";
import { offlineDatabase } from "./offline-database.ts";

/**
 * The failure email for a run that failed before its pipeline started (database unreachable, lock
 * not obtained, a migration failing): the team hears of the nights that did not run at all.
 * Never throws: the original error is what the command reports.
 */
export async function reportEarlyFailure(ctx: ProjectContext, error: unknown): Promise<void> {
  const message = maskSecrets(errorMessage(error));
  try {
    await sendReportEmail(
      { ...ctx, db: offlineDatabase(message) },
      {
        status: "failed",
        days: [],
        counts: {},
        stages: [{ name: "start", status: "failed", ms: 0, detail: message }],
        warnings: [],
        error: `the run could not start: ${message}`,
      },
    );
  } catch (emailError) {
    log.error(`failure email not sent: ${errorMessage(emailError)}`);
  }
}
