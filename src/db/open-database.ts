import { resolve } from "node:path";
import { DatabaseUnavailableError, EltError } from "../errors.ts";
import type { Database } from "./database.ts";
import { embeddedDatabase } from "./embedded-database.ts";
import { isConnectionError } from "./is-connection-error.ts";
import { pgDatabase } from "./pg-database.ts";

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; absent means the embedded server with its data in `embeddedDir`. */
  url?: string | undefined;
  /** Embedded data folder (absolute, or relative to the working folder). */
  embeddedDir: string;
  statementTimeoutMs?: number;
}

/**
 * PostgreSQL at the URL when one is given, otherwise the project's embedded PostgreSQL (the same
 * engine, started on demand and shared between elt processes: embedded-database.ts). Either way the
 * rest of the tool sees one pg Pool, advisory locks included.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (!options.url) {
    return embeddedDatabase({
      dataDir: resolve(options.embeddedDir),
      statementTimeoutMs: options.statementTimeoutMs,
    });
  }
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
