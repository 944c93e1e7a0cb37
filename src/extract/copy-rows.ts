import type { Queryable } from "../db/database.ts";

/** The COPY data (binary, copy-binary.ts) for rows [from, to) of a chunk, in pieces. */
export type RowsData = (from: number, to: number) => Buffer[];

export interface Copied {
  /** Rows stored. */
  rows: number;
  /**
   * The first row left uncopied because the COPY met a record already stored (a unique violation):
   * it and the rows after it are for the duplicate path. The chunk's length when none was met.
   */
  until: number;
}

/** A value PostgreSQL refused (class 22 data exception, 54 program limit such as stack depth). */
function isRecordError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("54"));
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown })?.code === "23505";
}

/** The 1-based row of a COPY error (its CONTEXT: `COPY raw.api_attempts, line 3, column record: …`). */
function copyErrorLine(error: unknown): number | undefined {
  const where = (error as { where?: unknown })?.where;
  const m = typeof where === "string" ? /COPY [^,]+, line (\d+)/.exec(where) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * COPYs rows [from, n) of a chunk, each COPY inside a savepoint. A record PostgreSQL refuses fails
 * the whole COPY: it is rolled back, the rows before the one the error names are copied again, that
 * one is handed to `refuse`, and the rest is tried on (a record is sent once more for each bad one
 * before it). A unique violation rolls back that COPY and stops there (see Copied.until).
 */
export async function copyRows(
  tx: Queryable,
  sql: string,
  n: number,
  data: RowsData,
  refuse: (index: number, error: unknown) => void,
  from = 0,
): Promise<Copied> {
  let rows = 0;
  while (from < n) {
    await tx.query("SAVEPOINT elt_chunk");
    try {
      rows += await tx.copyFrom(sql, data(from, n));
      await tx.query("RELEASE SAVEPOINT elt_chunk");
      return { rows, until: n };
    } catch (error) {
      if (!isRecordError(error) && !isUniqueViolation(error)) throw error;
      await tx.query("ROLLBACK TO SAVEPOINT elt_chunk; RELEASE SAVEPOINT elt_chunk");
      if (isUniqueViolation(error)) return { rows, until: from };
      const line = copyErrorLine(error);
      if (line === undefined || line < 1 || from + line > n) {
        // No usable row named: find the record the slow way, one at a time from here.
        const rest = await copyOneByOne(tx, sql, n, data, refuse, from);
        return { rows: rows + rest.rows, until: rest.until };
      }
      const bad = from + line - 1;
      if (bad > from) rows += await tx.copyFrom(sql, data(from, bad));
      refuse(bad, error);
      from = bad + 1;
    }
  }
  return { rows, until: n };
}

async function copyOneByOne(
  tx: Queryable,
  sql: string,
  n: number,
  data: RowsData,
  refuse: (index: number, error: unknown) => void,
  from: number,
): Promise<Copied> {
  let rows = 0;
  for (let i = from; i < n; i++) {
    await tx.query("SAVEPOINT elt_one");
    try {
      rows += await tx.copyFrom(sql, data(i, i + 1));
      await tx.query("RELEASE SAVEPOINT elt_one");
    } catch (error) {
      if (!isRecordError(error) && !isUniqueViolation(error)) throw error;
      await tx.query("ROLLBACK TO SAVEPOINT elt_one; RELEASE SAVEPOINT elt_one");
      if (isUniqueViolation(error)) return { rows, until: i };
      refuse(i, error);
    }
  }
  return { rows, until: n };
}
