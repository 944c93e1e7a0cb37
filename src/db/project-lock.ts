import { EltError } from "../errors.ts";
import type { Database } from "./database.ts";
import { waitFor } from "./wait-for.ts";

/**
 * The held project lock. Calling it releases the lock (the original `() => Promise<void>` shape,
 * kept for callers); `release()` does the same. `assertHeld()` throws EltError LOCK_LOST (exit 1)
 * once the lock is gone (its PostgreSQL session died: a terminated backend, a failover, the
 * embedded server stopped), since from then on another process may run against the same data.
 */
export interface ProjectLock {
  (): Promise<void>;
  release(): Promise<void>;
  assertHeld(): Promise<void>;
}

/**
 * Holds the project's lock for the duration of a command, so overlapping runs (cron firing while
 * the previous night's run is still going) never interleave. The second one waits, then exits 1.
 */
export async function acquireProjectLock(db: Database, timeoutMs: number): Promise<ProjectLock> {
  const lock = await waitFor(() => db.tryLock("project"), timeoutMs, 500);
  if (!lock) {
    throw new EltError(
      `another elt command is running on ${db.description}; gave up after waiting ${Math.round(timeoutMs / 1000)} s`,
      { code: "LOCKED", exitCode: 1, hint: "wait for it to finish, or raise database.lock_timeout_seconds" },
    );
  }
  const release = () => lock();
  const assertHeld = async () => {
    if (await lock.held()) return;
    throw new EltError(
      `the project lock on ${db.description} was lost (its database connection is gone); ` +
        "another elt command may be running, so this one stops",
      {
        code: "LOCK_LOST",
        exitCode: 1,
        hint: "check the database server's log for terminated connections, then rerun",
      },
    );
  };
  return Object.assign(release, { release, assertHeld });
}
