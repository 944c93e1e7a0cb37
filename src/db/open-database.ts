import { join, resolve } from "node:path";
import { DatabaseUnavailableError, EltError } from "../errors.ts";
import type { Database } from "./database.ts";
import { isConnectionError } from "./is-connection-error.ts";
import { lockFileOwner, tryLockFile } from "./lock-file.ts";
import { pgDatabase } from "./pg-database.ts";
import { waitFor } from "./wait-for.ts";

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; absent means the embedded database in `embeddedDir`. */
  url?: string | undefined;
  /** Embedded data folder (absolute, or relative to the working folder). */
  embeddedDir: string;
  /**
   * How long to wait for another process that holds the embedded folder (0: give up at once).
   * Independent of the project lock's wait: a read-only command may pass a short one.
   */
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
}

/**
 * PostgreSQL when a URL is given, otherwise in-process PGlite. Two processes must never open one
 * PGlite folder (it does not stop them), so the embedded database is held by a lock file for as
 * long as it is open; a second process waits for it, then gives up with exit 1.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.url) {
    const db = pgDatabase({ url: options.url, statementTimeoutMs: options.statementTimeoutMs });
    try {
      await db.query("SELECT 1");
    } catch (error) {
      await db.close().catch(() => {});
      // The description names host, port and database only: never the URL's password.
      const reason = (error as Error).message;
      if (isConnectionError(error)) {
        throw new DatabaseUnavailableError(
          `cannot connect to ${db.description}: the database is unavailable: ${reason}`,
          error,
        );
      }
      throw new EltError(`cannot connect to ${db.description}: ${reason}`, {
        code: "DB_CONNECT",
        exitCode: 1,
        hint: "check DATABASE_URL and that the server is up",
        cause: error,
      });
    }
    return db;
  }
  const dataDir = resolve(options.embeddedDir);
  const lockPath = join(dataDir, "..", `${dataDir.split("/").pop()}.lock`);
  const release = await waitFor(() => tryLockFile(lockPath), options.lockTimeoutMs ?? 0);
  if (!release) {
    const owner = lockFileOwner(lockPath);
    const holder = owner ? ` (pid ${owner.pid} on ${owner.host} since ${owner.since})` : "";
    throw new EltError(
      `the embedded database ${dataDir} is in use by another elt process${holder}; gave up after ${Math.round((options.lockTimeoutMs ?? 0) / 1000)} s`,
      {
        code: "LOCKED",
        exitCode: 1,
        hint: "wait for the other run to finish, or raise database.lock_timeout_seconds",
      },
    );
  }
  try {
    // Loaded only when used: PGlite's wasm adds ~50 MB to every process that imports it.
    const { pgliteDatabase } = await import("./pglite-database.ts");
    return await pgliteDatabase({ dataDir, onClose: release, folderHeld: release.held });
  } catch (error) {
    release();
    throw error;
  }
}
