import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFromStdin } from "pg-copy-streams";
import { advisoryKey } from "./advisory-key.ts";
import type { Database, Queryable, QueryResult, Row } from "./database.ts";
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
    async copyFrom(sql: string, lines: AsyncIterable<string | Buffer>): Promise<number> {
      if (!("release" in client)) throw new Error("copyFrom needs a dedicated connection");
      const stream = client.query(copyFromStdin(sql));
      await pipeline(Readable.from(lines), stream);
      return Number(stream.rowCount ?? 0);
    },
  };
}

export interface PgDatabaseOptions {
  url: string;
  statementTimeoutMs?: number;
  applicationName?: string;
}

/** A pg Pool behind the Database interface. */
export function pgDatabase(options: PgDatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    types,
    max: 4,
    application_name: options.applicationName ?? "elt",
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client dropped by the server (e.g. pg_terminate_backend) must not crash the process.
  pool.on("error", () => {});
  const poolQueryable = clientQueryable(pool);
  const url = new URL(options.url);

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
    description: `postgres://${url.hostname}:${url.port || 5432}${url.pathname}`,
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
      return async () => {
        try {
          await client.query("SELECT pg_advisory_unlock($1)", [advisoryKey(name)]);
          release();
        } catch (error) {
          release(error as Error);
        }
      };
    },
    close: () => pool.end(),
  };
}

const ignore = () => {};

function isConnectionError(error: Error | undefined): boolean {
  if (!error) return false;
  const code = (error as { code?: string }).code ?? "";
  // 57P01 admin shutdown (pg_terminate_backend), 08xxx connection exceptions, socket errors.
  return (
    code === "57P01" || code.startsWith("08") || /Connection terminated|ECONNRESET|EPIPE/.test(error.message)
  );
}
