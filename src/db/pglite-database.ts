import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { Database, Queryable, QueryResult, Row } from "./database.ts";
import { typeParsers } from "./type-parsers.ts";

type Session = Pick<PGlite, "query" | "exec"> | Transaction;

// COPY FROM STDIN is not available in-process; PGlite reads a blob through /dev/blob instead.
const STDIN = /\bFROM\s+STDIN\b/i;
const BATCH_BYTES = 8 * 1024 * 1024;

function sessionQueryable(session: Session): Queryable {
  return {
    async query<R = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      if (!params || params.length === 0) {
        const results = await session.exec(sql);
        const last = results[results.length - 1];
        return { rows: (last?.rows ?? []) as R[], rowCount: last?.affectedRows || last?.rows.length || 0 };
      }
      const result = await session.query<R>(sql, params as unknown[]);
      return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
    },
    async copyFrom(
      sql: string,
      lines: AsyncIterable<string | Buffer> | Iterable<string | Buffer>,
    ): Promise<number> {
      if (!STDIN.test(sql)) throw new Error("copyFrom expects COPY ... FROM STDIN");
      const blobSql = sql.replace(STDIN, "FROM '/dev/blob'");
      let parts: (string | Buffer)[] = [];
      let size = 0;
      let total = 0;
      const flush = async () => {
        if (parts.length === 0) return;
        const blob = new Blob(parts as unknown as ConstructorParameters<typeof Blob>[0]);
        parts = [];
        size = 0;
        const result = await session.query(blobSql, [], { blob });
        total += result.affectedRows ?? 0;
      };
      for await (const chunk of lines) {
        parts.push(chunk);
        size += chunk.length;
        if (size >= BATCH_BYTES) await flush();
      }
      await flush();
      return total;
    },
  };
}

export interface PgliteDatabaseOptions {
  /** Data folder; undefined keeps the database in memory (tests). */
  dataDir?: string;
  /** Called by close(): releases the data folder's lock file. */
  onClose?: () => void;
  /** Whether the data folder's lock file is still this process's (tryLock's `held()`). */
  folderHeld?: () => boolean;
}

/** In-process PGlite behind the Database interface: one session, so every call is serialised. */
export async function pgliteDatabase(options: PgliteDatabaseOptions): Promise<Database> {
  const db = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    parsers: typeParsers,
  });
  const root = sessionQueryable(db);
  return {
    kind: "pglite",
    description: options.dataDir ? `embedded PGlite (${options.dataDir})` : "embedded PGlite (memory)",
    query: root.query,
    copyFrom: root.copyFrom,
    transaction: (fn) => db.transaction((tx) => fn(sessionQueryable(tx))),
    withConnection: (fn) => fn(root),
    async tryLock() {
      const folderHeld = options.folderHeld ?? (() => true);
      return Object.assign(async () => {}, { held: async () => !db.closed && folderHeld() });
    },
    async close() {
      try {
        if (!db.closed) await db.close();
      } finally {
        options.onClose?.();
      }
    },
  };
}
