import type { Queryable } from "../db/database.ts";
import { errorMessage } from "../errors.ts";
import { log } from "../log/logger.ts";
import { maskSecrets } from "../log/mask.ts";

export type ExportKind = "sheets" | "email";

export interface ExportAttempt {
  runId?: number;
  kind: ExportKind;
  /** The day exported (the latest one when several). */
  day?: string;
  status: "success" | "failed" | "skipped";
  /** 1 for the first attempt, 2 for the first retry…; 0 when skipped. */
  attempts: number;
  ms: number;
  target?: string;
  error?: string;
}

/**
 * One row in elt.exports. A ledger that cannot be written (the database went away) must not turn
 * a delivered export into a failure: it is logged as a warning instead.
 */
export async function recordExport(db: Queryable, attempt: ExportAttempt): Promise<void> {
  try {
    await db.query(
      `INSERT INTO elt.exports (run_id, kind, day, status, attempts, ms, target, error)
       VALUES ($1, $2, $3::date, $4, $5, $6, $7, $8)`,
      [
        attempt.runId ?? null,
        attempt.kind,
        attempt.day ?? null,
        attempt.status,
        attempt.attempts,
        Math.round(attempt.ms),
        attempt.target ? maskSecrets(attempt.target) : null,
        attempt.error ? maskSecrets(attempt.error) : null,
      ],
    );
  } catch (error) {
    log.warn(`export ledger not written: ${errorMessage(error)}`);
  }
}
