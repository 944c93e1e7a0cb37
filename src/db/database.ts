/**
 * The one interface the rest of the code uses to reach PostgreSQL, whether a server (pg) or the
 * embedded engine (PGlite in-process). Only what both can honour is here.
 */
export type Row = Record<string, unknown>;

export interface QueryResult<R = Row> {
  rows: R[];
  /** Rows affected (INSERT/UPDATE/DELETE/COPY) or returned; 0 when the engine does not say. */
  rowCount: number;
}

export interface Queryable {
  /**
   * Without params the text may hold several statements (simple protocol on both engines); the
   * result is the last statement's.
   */
  query<R = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * Streams text-format COPY data into a table. `sql` must be `COPY ... FROM STDIN ...`.
   * Each chunk is one or more complete lines (ending in "\n"). Returns the rows copied.
   * On PostgreSQL this is COPY FROM STDIN (pg-copy-streams); on PGlite the lines are gathered into
   * bounded blobs and copied batch by batch, so neither engine holds the whole input.
   */
  copyFrom(sql: string, lines: AsyncIterable<string | Buffer> | Iterable<string | Buffer>): Promise<number>;
}

export type DatabaseKind = "postgres" | "pglite";

/**
 * A lock taken by `tryLock`. Calling it releases the lock (as before); `held()` says whether this
 * process still holds it: a PostgreSQL session lock dies with its connection (backend terminated,
 * failover, idle_session_timeout), and then another process may take it.
 */
export interface HeldLock {
  (): Promise<void>;
  /** False once the lock is gone (connection lost, lock file taken over); never throws. */
  held(): Promise<boolean>;
}

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Human-readable target with secrets removed, for logs. */
  readonly description: string;
  /** Runs fn in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs fn on one dedicated connection (session state such as advisory locks lives there). */
  withConnection<T>(fn: (conn: Queryable) => Promise<T>): Promise<T>;
  /**
   * Takes the named exclusive lock if free, returning its release; undefined when another holder has it.
   * On PostgreSQL an advisory lock on a dedicated connection; on the embedded engine the whole data
   * folder is already held exclusively by this process (lock file), so it always succeeds, and
   * `held()` checks that lock file is still this process's.
   */
  tryLock(name: string): Promise<HeldLock | undefined>;
  close(): Promise<void>;
}
