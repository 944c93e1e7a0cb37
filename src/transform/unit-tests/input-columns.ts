/** A column of a unit test's temporary table. */
export interface Column {
  name: string;
  /** SQL type text (format_type, a contract's type, or one inferred from the values). */
  type: string;
}

/** `user_id: varchar not null` → varchar: a test's input rows may leave any column NULL. */
export function contractColumns(contract: Record<string, string>): Column[] {
  return Object.entries(contract).map(([name, type]) => ({
    name,
    type: type.replace(/\s+(not\s+)?null\s*$/i, "").trim(),
  }));
}

/** Only when nothing better is known: text, bigint, numeric, boolean or jsonb by the first non-null value. */
function inferType(values: unknown[]): string {
  const v = values.find((x) => x !== null && x !== undefined);
  if (typeof v === "number")
    return values.every((x) => x == null || Number.isInteger(x)) ? "bigint" : "numeric";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "object") return "jsonb";
  return "text";
}

/**
 * The columns of an input's temporary table: the model's contract, else the real relation's
 * columns (when it exists in the database), else inferred from the given rows' values. With known
 * columns, a row naming another column is an error (a typo would otherwise read as NULL).
 */
export function inputColumns(
  given: { input: string; standsFor: string; contract?: Column[]; rows?: Record<string, unknown>[] },
  real: Column[] | undefined,
): { columns: Column[]; problem?: string } {
  const rows = given.rows ?? [];
  const named = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const known = given.contract ?? (real && real.length > 0 ? real : undefined);
  if (!known) return { columns: named.map((name) => ({ name, type: inferType(rows.map((r) => r[name])) })) };
  const unknown = named.filter((n) => !known.some((c) => c.name === n));
  if (unknown.length === 0) return { columns: known };
  const from = given.contract ? "the contract of" : "";
  return {
    columns: known,
    problem: `given ${given.input}: ${unknown.map((n) => `"${n}"`).join(", ")} ${unknown.length === 1 ? "is not a column" : "are not columns"} of ${from ? `${from} ` : ""}${given.standsFor} (${known.map((c) => c.name).join(", ")})`,
  };
}
