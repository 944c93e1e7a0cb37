import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFromStdin } from "pg-copy-streams";
import { ConfigError } from "../errors.ts";
import { advisoryKey } from "./advisory-key.ts";
import type { Database, Queryable, QueryResult, Row } from "./database.ts";
import { INVALID_URL_MESSAGE, parseDatabaseUrl } from "./database-url.ts";
import { isConnectionError } from "./is-connection-error.ts";
import { typeParsers } from "./type-parsers.ts";

const types = {
  getTypeParser(oid: number, format?: string) {
    const own = format === "binary" ? undefined : typeParsers[oid];
    // biome-ignore lint/suspicious/noExplicitAny: pg's own overloads differ by format
    return own ?? (pg.types.getTypeParser as any)(oid, format);
  },
};

function clientQueryable(client: pg.PoolClient | pg.Pool): Queryable {
  return {
    async query<R = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const result = await client.query(sql, params as unknown[] | undefined);
      // A multi-statement text gives an array of results; the last one is what callers want.
      const last = Array.isArray(result) ? result[result.length - 1] : result;
      return { rows: (last?.rows ?? []) as R[], rowCount: last?.rowCount ?? 0 };
    },
    async copyFrom(
      sql: string,
      lines: AsyncIterable<string | Buffer> | Iterable<string | Buffer>,
    ): Promise<number> {
      if (!("release" in client)) throw new Error("copyFrom needs a dedicated connection");
      const stream = client.query(copyFromStdin(sql));
      await pipeline(Readable.from(lines), stream);
      return Number(stream.rowCount ?? 0);
    },
  };
}

export interface PgDatabaseOptions {
  url: string;
  statementTimeoutMs?: number | undefined;
  applicationName?: string;
  /** For logs, instead of the target read from the URL (secrets are never in either). */
  description?: string;
}

/** A pg Pool behind the Database interface. */
export function pgDatabase(options: PgDatabaseOptions): Database {
  // Checked before pg sees it: pg's own parse error would go up as a crash with a stack trace.
  const target = parseDatabaseUrl(options.url);
  if (!target) {
    throw new ConfigError(`database URL (database.url / DATABASE_URL): ${INVALID_URL_MESSAGE}`, {
      code: "CONFIG_DATABASE_URL",
    });
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    types,
    max: 4,
    // The project lock lives on one long-idle connection: keepalives notice a dead peer (failover,
    // a dropped NAT entry) within minutes instead of the OS default of two hours idle.
    keepAlive: true,
    keepAliveInitialDelayMillis: 30_000,
    application_name: options.applicationName ?? "elt",
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client dropped by the server (e.g. pg_terminate_backend) must not crash the process.
  pool.on("error", () => {});
  const poolQueryable = clientQueryable(pool);

  async function withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    // pg-pool drops its own 'error' listener while a client is checked out: a backend killed
    // mid-query would emit an unhandled 'error' and crash the process. The query still rejects.
    client.on("error", ignore);
    let broken: Error | undefined;
    try {
      return await fn(client);
    } catch (error) {
      broken = error as Error;
      throw error;
    } finally {
      client.off("error", ignore);
      // A client whose connection failed is destroyed instead of going back to the pool.
      client.release(isConnectionError(broken) ? broken : undefined);
    }
  }

  return {
    kind: "postgres",
    description:
      options.description ??
      (target.host.startsWith("/")
        ? `postgres (socket ${target.host}) database ${target.database}`
        : `postgres://${target.host}:${target.port || 5432}/${target.database}`),
    query: poolQueryable.query,
    copyFrom: (sql, lines) => withClient((c) => clientQueryable(c).copyFrom(sql, lines)),
    transaction: (fn) =>
      withClient(async (client) => {
        await client.query("BEGIN");
        try {
          const value = await fn(clientQueryable(client));
          await client.query("COMMIT");
          return value;
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {});
          throw error;
        }
      }),
    withConnection: (fn) => withClient((client) => fn(clientQueryable(client))),
    async tryLock(name) {
      const client = await pool.connect();
      // Held for the whole command: losing its backend must not crash the process (see withClient).
      client.on("error", ignore);
      const release = (error?: Error) => {
        client.off("error", ignore);
        client.release(error);
      };
      try {
        const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [
          advisoryKey(name),
        ]);
        if (!rows[0]?.ok) {
          release();
          return undefined;
        }
      } catch (error) {
        release(error as Error);
        throw error;
      }
      let released = false;
      const unlock = async () => {
        if (released) return;
        released = true;
        try {
          await client.query("SELECT pg_advisory_unlock($1)", [advisoryKey(name)]);
          release();
        } catch (error) {
          release(error as Error);
        }
      };
      // Once released the client is back in the pool, in someone else's hands: never query it.
      const held = async () => {
        if (released) return false;
        if (await sessionHoldsLock(client, name)) return true;
        // Lost (dead or half-open connection): destroy the client rather than queue an unlock
        // behind a query that may never answer, which would hold pool.end() for minutes.
        released = true;
        release(new Error("advisory lock lost"));
        return false;
      };
      return Object.assign(unlock, { held });
    },
    close: () => pool.end(),
  };
}

const ignore = () => {};

const HELD_CHECK_TIMEOUT_MS = 15_000;

/**
 * Asks the lock's own session whether it still holds the advisory lock (a bigint key shows in
 * pg_locks as classid = high 32 bits, objid = low 32 bits, objsubid 1). A dead connection fails the
 * query; a server that does not answer in time counts as lost too, since its session may be gone.
 */
async function sessionHoldsLock(client: pg.PoolClient, name: string): Promise<boolean> {
  const key = BigInt.asUintN(64, BigInt(advisoryKey(name)));
  const check = client
    .query<{ held: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_locks
                       WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                         AND classid = $1::oid AND objid = $2::oid AND objsubid = 1) AS held`,
      [(key >> 32n).toString(), (key & 0xffffffffn).toString()],
    )
    .then((r) => r.rows[0]?.held === true)
    .catch(() => false);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), HELD_CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
