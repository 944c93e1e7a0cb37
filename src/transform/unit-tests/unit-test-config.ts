import { z } from "zod";

/**
 * `unit_tests:` of a model (header or sidecar yml), dbt-style: rows (or a SELECT) for each relation
 * the model reads, and the rows it must produce. Strict, like the rest of the config.
 */

const rows = z.array(z.record(z.string(), z.unknown()));

/** Not both of `rows` and `sql`; `required`: one of them. */
function rowsOrSql(v: { rows?: unknown; sql?: unknown }, ctx: z.RefinementCtx, required: boolean): void {
  if (v.rows !== undefined && v.sql !== undefined) {
    ctx.addIssue({ code: "custom", path: ["sql"], message: "give rows or sql, not both" });
  } else if (required && v.rows === undefined && v.sql === undefined) {
    ctx.addIssue({ code: "custom", path: ["rows"], message: "give rows (a list of {column: value}) or sql" });
  }
}

const given = z
  .strictObject({ input: z.string().min(1), rows: rows.optional(), sql: z.string().min(1).optional() })
  .superRefine((v, ctx) => rowsOrSql(v, ctx, false));

const expected = z
  .strictObject({ rows: rows.optional(), sql: z.string().min(1).optional() })
  .superRefine((v, ctx) => rowsOrSql(v, ctx, true));

export const unitTestSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_]+$/, "letters, digits and _ only"),
  description: z.string().optional(),
  /** `ref('x')`, `x`, `source('raw', 't')`, `raw.t`, or `this` (an incremental test's existing rows). */
  given: z.array(given).default([]),
  expect: expected,
  /** Render the model's incremental branch, `{{this}}` being the given `this` rows. */
  is_incremental: z.boolean().default(false),
  /** What `{{watermark}}` renders to (default 0). */
  watermark: z.union([z.number(), z.string()]).optional(),
  /** Over the project's vars for this test. */
  vars: z.record(z.string(), z.unknown()).optional(),
});

export type UnitTestConfig = z.output<typeof unitTestSchema>;
