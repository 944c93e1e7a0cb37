import { EltError } from "../errors.ts";
import type { Database } from "./database.ts";
import { waitFor } from "./wait-for.ts";

/**
 * Holds the project's lock for the duration of a command, so overlapping runs (cron firing while
 * the previous night's run is still going) never interleave. The second one waits, then exits 1.
 */
export async function acquireProjectLock(db: Database, timeoutMs: number): Promise<() => Promise<void>> {
  const release = await waitFor(() => db.tryLock("project"), timeoutMs, 500);
  if (!release) {
    throw new EltError(
      `another elt command is running on ${db.description}; gave up after waiting ${Math.round(timeoutMs / 1000)} s`,
      { code: "LOCKED", exitCode: 1, hint: "wait for it to finish, or raise database.lock_timeout_seconds" },
    );
  }
  return release;
}
