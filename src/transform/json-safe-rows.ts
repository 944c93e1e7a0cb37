import type { Row } from "../db/database.ts";

/**
 * Failing rows as kept in logs, the ledger's jsonb and the email: a bigint past 2^53 (the type
 * parsers return BigInt there) becomes its decimal text, since JSON.stringify throws on a BigInt.
 */
export function jsonSafeRows(rows: readonly Row[]): Record<string, unknown>[] {
  return rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])),
  );
}
