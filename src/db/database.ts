/**
 * The one interface the rest of the code uses to reach PostgreSQL: a server at a URL or the
 * project's embedded one, both through a pg Pool (pg-database.ts).
 */
export type Row = Record<string, unknown>;

export interface QueryResult<R = Row> {
  rows: R[];
  /** Rows affected (INSERT/UPDATE/DELETE/COPY) or returned; 0 when the engine does not say. */
  rowCount: number;
}

export interface Queryable {
  /**
   * Without params the text may hold several statements (simple protocol); the
   * result is the last statement's.
   */
  query<R = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * Streams text-format COPY data into a table. `sql` must be `COPY ... FROM STDIN ...`.
   * Each chunk is one or more complete lines (ending in "\n"). Returns the rows copied.
   * COPY FROM STDIN through pg-copy-streams: the input is streamed, never held whole.
   */
  copyFrom(sql: string, lines: AsyncIterable<string | Buffer> | Iterable<string | Buffer>): Promise<number>;
}

export type DatabaseKind = "postgres";

/**
 * A lock taken by `tryLock`. Calling it releases the lock (as before); `held()` says whether this
 * process still holds it: a PostgreSQL session lock dies with its connection (backend terminated,
 * failover, idle_session_timeout), and then another process may take it.
 */
export interface HeldLock {
  (): Promise<void>;
  /** False once the lock is gone (its connection was lost); never throws. */
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
   * Takes the named exclusive lock if free, returning its release; undefined when another holder has
   * it: an advisory lock on a dedicated connection, on a server and on the embedded one alike.
   */
  tryLock(name: string): Promise<HeldLock | undefined>;
  close(): Promise<void>;
}
