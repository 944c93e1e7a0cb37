import format from "pg-format";
import { z } from "zod";

export type TestKind = "not_null" | "unique" | "accepted_values" | "relationships" | "expression";
const KINDS: TestKind[] = ["not_null", "unique", "accepted_values", "relationships", "expression"];

export interface TestSpec {
  kind: TestKind;
  columns: string[];
  severity: "error" | "warn";
  /**
   * What a build audits before it publishes: `batch` (default) the rows it is about to publish
   * (an incremental model's new batch, plus for unique the published rows it could collide with);
   * `full` the whole relation as it would be published. `elt test` always checks whole relations.
   */
  scope: "batch" | "full";
  name?: string;
  values?: unknown[];
  to?: string;
  field?: string;
  expression?: string;
}

const common = {
  severity: z.enum(["error", "warn"]).default("error"),
  scope: z.enum(["batch", "full"]).default("batch"),
  name: z.string().min(1).optional(),
  column: z.string().min(1).optional(),
  columns: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
};
const PARAMS = {
  not_null: z.strictObject(common),
  unique: z.strictObject(common),
  accepted_values: z.strictObject({ ...common, values: z.array(z.unknown()).min(1) }),
  relationships: z.strictObject({ ...common, to: z.string().min(1), field: z.string().min(1) }),
  expression: z.strictObject({ ...common, expression: z.string().min(1) }),
};

/**
 * One entry of a `tests:` list, in any of the accepted shapes: `not_null`, `{unique: [a, b]}`,
 * `{accepted_values: {values: [...]}}`, `{expression: "sql", severity: warn}`, ... `column` is set for
 * column tests. Returns the spec or a message.
 */
export function parseTestEntry(entry: unknown, column?: string): TestSpec | string {
  let kind: string;
  let arg: unknown;
  let siblings: Record<string, unknown> = {};
  if (typeof entry === "string") {
    kind = entry;
  } else if (entry && typeof entry === "object" && !Array.isArray(entry)) {
    const keys = Object.keys(entry).filter((k) => (KINDS as string[]).includes(k));
    const others = Object.keys(entry).filter((k) => !["severity", "name", "scope"].includes(k));
    if (keys.length === 0 && others.length === 1)
      return `unknown test "${others[0]}" (one of ${KINDS.join(", ")})`;
    if (keys.length !== 1) return `expected one of ${KINDS.join(", ")} as the test's key`;
    kind = keys[0] as string;
    const { [kind]: value, ...rest } = entry as Record<string, unknown>;
    arg = value;
    siblings = rest;
  } else {
    return `expected a test name or {test: options}, got ${JSON.stringify(entry)}`;
  }
  if (!(KINDS as string[]).includes(kind)) return `unknown test "${kind}" (one of ${KINDS.join(", ")})`;
  let params: Record<string, unknown>;
  if (arg === null || arg === undefined) params = {};
  else if (Array.isArray(arg)) params = kind === "accepted_values" ? { values: arg } : { columns: arg };
  else if (typeof arg === "string") params = kind === "expression" ? { expression: arg } : { columns: arg };
  else if (typeof arg === "object") params = { ...(arg as Record<string, unknown>) };
  else return `${kind}: unexpected value ${JSON.stringify(arg)}`;
  const parsed = PARAMS[kind as TestKind].safeParse({ ...siblings, ...params });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join(".");
    return `${kind}: ${key ? `${key}: ` : ""}${issue?.message ?? "invalid"}`;
  }
  const p = parsed.data as z.output<(typeof PARAMS)["expression"]> &
    Partial<{ values: unknown[]; to: string; field: string }>;
  const columns = column ? [column] : p.column ? [p.column] : p.columns ? [p.columns].flat() : [];
  if (columns.length === 0 && kind !== "expression")
    return `${kind}: which column? (give column: or columns:)`;
  if (columns.length > 1 && kind !== "unique" && kind !== "not_null") return `${kind}: takes one column`;
  return {
    kind: kind as TestKind,
    columns,
    severity: p.severity,
    scope: p.scope,
    ...(p.name ? { name: p.name } : {}),
    ...(p.values ? { values: p.values } : {}),
    ...(p.to ? { to: p.to, field: p.field as string } : {}),
    ...(kind === "expression" ? { expression: p.expression } : {}),
  };
}

/** A readable, stable test name: `unique_orders_user_id__created_at`. */
export function testName(model: string, spec: TestSpec): string {
  if (spec.name) return spec.name;
  const cols = spec.columns.join("__");
  return [spec.kind, model, cols].filter(Boolean).join("_");
}

/**
 * The condition a failing row meets, for the tests that judge each row on its own (not_null,
 * accepted_values, expression); undefined for the others. testSql is built from it, so a screen of
 * several tests in one scan (apply-build.ts) judges exactly as each test's own query does.
 */
export function rowFailure(spec: TestSpec): string | undefined {
  const cols = spec.columns.map((c) => format("%I", c));
  const [col] = cols;
  switch (spec.kind) {
    case "not_null":
      return cols.map((c) => `${c} IS NULL`).join(" OR ");
    case "accepted_values":
      return format(
        "%s IS NOT NULL AND %s::text NOT IN (%L)",
        col,
        col,
        (spec.values ?? []).map((v) => String(v)),
      );
    case "expression":
      // As in dbt: a row fails when the expression is false; NULL (unknown) passes.
      return `NOT (${spec.expression})`;
    default:
      return undefined;
  }
}

/** SQL returning the failing rows (a test passes when it returns none). `to` is already a relation. */
export function testSql(relation: string, spec: TestSpec, toRelation?: string): string {
  const cols = spec.columns.map((c) => format("%I", c));
  const [col] = cols;
  const failing = rowFailure(spec);
  if (failing !== undefined) return `SELECT * FROM ${relation} WHERE ${failing}`;
  switch (spec.kind) {
    case "unique":
      // Like a unique index: rows whose key has a NULL are not duplicates of each other.
      return `SELECT ${cols.join(", ")}, count(*) AS n FROM ${relation} WHERE ${cols
        .map((c) => `${c} IS NOT NULL`)
        .join(" AND ")} GROUP BY ${cols.join(", ")} HAVING count(*) > 1`;
    case "relationships":
      return `SELECT c.* FROM ${relation} AS c WHERE c.${col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${toRelation} AS p WHERE p.${format("%I", spec.field)} = c.${col})`;
    default:
      throw new Error(`no SQL for test kind ${spec.kind}`);
  }
}
