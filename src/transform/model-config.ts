import { z } from "zod";
import { sourceCheckKeys } from "../source-checks/source-check-config.ts";
import { type UnitTestConfig, unitTestSchema } from "./unit-tests/unit-test-config.ts";

/**
 * The config of one model, from its `/*--- yaml ---*\/` header and/or a sidecar yml (`models:`).
 * Strict, so a misspelt key is an error naming its path.
 */

const names = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const severity = z.enum(["error", "warn"]);

/** How an exported column's values are written in the sheet, the CSV preview and the email. */
export const COLUMN_FORMAT = /^(integer|percent|date|text|hour|decimal:\d{1,2})$/;

const columnSchema = z.strictObject({
  description: z.string().optional(),
  /** Its header in the exports: one text, or one per locale (`{ru: Попыток, en: Attempts}`). */
  label: z
    .union([
      z.string().min(1),
      z.strictObject({ ru: z.string().min(1).optional(), en: z.string().min(1).optional() }),
    ])
    .optional(),
  format: z
    .string()
    .regex(
      COLUMN_FORMAT,
      "expected integer, percent, date, text, hour or decimal:N (N places, e.g. decimal:2)",
    )
    .optional(),
  /** Documentation only; `contract:` is what sets types. */
  data_type: z.string().optional(),
  tests: z.array(z.unknown()).default([]),
  meta: z.record(z.string(), z.unknown()).optional(),
});

export const modelConfigSchema = z.strictObject({
  materialized: z.enum(["view", "table", "incremental"]).default("view"),
  schema: z.string().min(1).default("grade"),
  alias: z.string().min(1).optional(),
  unique_key: names.optional(),
  primary_key: names.optional(),
  contract: z.record(z.string(), z.string().min(1)).optional(),
  indexes: z
    .array(
      z.union([
        z.array(z.string().min(1)).min(1),
        z.strictObject({ columns: z.array(z.string().min(1)).min(1), unique: z.boolean().default(false) }),
      ]),
    )
    .default([]),
  watermark: z.string().min(1).optional(),
  watermark_source: z
    .string()
    .regex(/^[^.\s]+\.[^.\s]+\.[^.\s]+$/, "expected schema.table.column, e.g. raw.api_attempts.id")
    .optional(),
  tags: z.union([z.string(), z.array(z.string())]).default([]),
  description: z.string().optional(),
  columns: z.record(z.string(), z.union([columnSchema, z.null()])).default({}),
  tests: z.array(z.unknown()).default([]),
  /** Rows in, rows out: `elt test --unit` (src/transform/unit-tests/). */
  unit_tests: z.array(unitTestSchema).default([]),
  enabled: z.boolean().default(true),
  meta: z.record(z.string(), z.unknown()).optional(),
});

/** One column's yml; `label` and `format` matter only to a model the exports read. */
export interface ColumnConfig {
  description?: string;
  tests: unknown[];
  label?: string | { ru?: string; en?: string };
  format?: string;
}

export type RawModelConfig = z.input<typeof modelConfigSchema>;

/** The validated config, lists normalised to arrays. */
export interface ModelConfig {
  materialized: "view" | "table" | "incremental";
  schema: string;
  alias: string;
  unique_key: string[];
  primary_key: string[];
  contract?: Record<string, string>;
  indexes: { columns: string[]; unique: boolean }[];
  watermark?: string;
  /**
   * `schema.table.column` the watermark counts in (e.g. raw.api_attempts.id): after a build it moves
   * to that column's maximum even when the model kept none of the new rows (a quarantine in a
   * night without bad records), so the next build does not read them again.
   */
  watermarkSource?: { schema: string; table: string; column: string };
  tags: string[];
  description?: string;
  columns: Record<string, ColumnConfig>;
  tests: unknown[];
  unitTests: UnitTestConfig[];
  enabled: boolean;
  meta?: Record<string, unknown>;
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

export function normalizeConfig(name: string, parsed: z.output<typeof modelConfigSchema>): ModelConfig {
  const columns: ModelConfig["columns"] = {};
  for (const [col, c] of Object.entries(parsed.columns)) columns[col] = c ?? { tests: [] };
  return {
    materialized: parsed.materialized,
    schema: parsed.schema,
    alias: parsed.alias ?? name,
    unique_key: list(parsed.unique_key),
    primary_key: list(parsed.primary_key),
    ...(parsed.contract ? { contract: parsed.contract } : {}),
    indexes: parsed.indexes.map((i) => (Array.isArray(i) ? { columns: i, unique: false } : i)),
    ...(parsed.watermark ? { watermark: parsed.watermark } : {}),
    ...(parsed.watermark_source ? { watermarkSource: splitSource(parsed.watermark_source) } : {}),
    tags: list(parsed.tags),
    ...(parsed.description !== undefined ? { description: parsed.description } : {}),
    columns,
    tests: parsed.tests,
    unitTests: parsed.unit_tests,
    enabled: parsed.enabled,
    ...(parsed.meta ? { meta: parsed.meta } : {}),
  };
}

/** Rules across keys; each message names the offending key. */
export function configProblems(config: ModelConfig): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const m = config.materialized;
  if (m === "view") {
    for (const key of ["unique_key", "primary_key", "indexes", "watermark", "contract"] as const) {
      const v = config[key];
      if (v !== undefined && (!Array.isArray(v) || v.length > 0)) {
        out.push({ path: key, message: `not allowed for a view (materialized: view)` });
      }
    }
  }
  if (m === "table" && config.unique_key.length > 0) {
    out.push({ path: "unique_key", message: "only for materialized: incremental (use primary_key)" });
  }
  if (config.watermarkSource && !config.watermark) {
    out.push({ path: "watermark_source", message: "needs watermark (the column of the SELECT it bounds)" });
  }
  if (m === "table" && config.watermark) {
    out.push({ path: "watermark", message: "only for materialized: incremental" });
  }
  const wm = config.watermark;
  if (wm) {
    // The watermark column is in the SELECT but not in the relation: nothing may rely on it there.
    for (const key of ["unique_key", "primary_key"] as const) {
      if (config[key].includes(wm))
        out.push({ path: key, message: `must not include the watermark column "${wm}"` });
    }
    if (config.contract && wm in config.contract) {
      out.push({ path: `contract.${wm}`, message: "the watermark column is not stored in the relation" });
    }
    if (wm in config.columns) {
      out.push({ path: `columns.${wm}`, message: "the watermark column is not stored in the relation" });
    }
  }
  // PostgreSQL cuts a longer name to 63 bytes without an error, and a table is staged under
  // <alias>__elt_tmp while the old one serves.
  const room = m === "view" ? 63 : 63 - "__elt_tmp".length;
  const bytes = Buffer.byteLength(config.alias);
  if (bytes > room) {
    const why = m === "view" ? "" : " (the build stages the table as <alias>__elt_tmp)";
    out.push({
      path: "alias",
      message: `"${config.alias}" is ${bytes} bytes; PostgreSQL names hold 63, so at most ${room}${why}: set a shorter alias`,
    });
  }
  const unitNames = new Set<string>();
  config.unitTests.forEach((t, i) => {
    if (unitNames.has(t.name))
      out.push({ path: `unit_tests.${i}.name`, message: `"${t.name}" is used twice` });
    unitNames.add(t.name);
    if (t.is_incremental && m !== "incremental") {
      out.push({ path: `unit_tests.${i}.is_incremental`, message: "only for materialized: incremental" });
    }
    if (t.watermark !== undefined && !config.watermark) {
      out.push({ path: `unit_tests.${i}.watermark`, message: "the model declares no watermark:" });
    }
  });
  if (config.contract) {
    const cols = Object.keys(config.contract);
    for (const key of ["unique_key", "primary_key"] as const) {
      for (const c of config[key]) {
        if (!cols.includes(c)) out.push({ path: key, message: `column "${c}" is not in the contract` });
      }
    }
  }
  return out;
}

/**
 * `sources:` in a sidecar yml: `raw: {schema: raw, tables: [api_attempts]}`. A bare name is read as
 * `{name}` first (not a union), so a wrong key inside a table entry is an error naming that key.
 */
const sourceTableSchema = z.preprocess(
  (v) => (typeof v === "string" ? { name: v } : v),
  z.strictObject({
    name: z.string().min(1),
    identifier: z.string().min(1).optional(),
    description: z.string().optional(),
    columns: z.record(z.string(), z.unknown()).optional(),
    // Freshness and drift, checked after each extract (src/source-checks/).
    ...sourceCheckKeys,
  }),
);

export const sourceSchema = z.strictObject({
  schema: z.string().min(1).optional(),
  description: z.string().optional(),
  tables: z.array(sourceTableSchema).default([]),
});

export const sidecarSchema = z.strictObject({
  version: z.union([z.number(), z.string()]).optional(),
  models: z.record(z.string(), z.record(z.string(), z.unknown()).nullable()).default({}),
  sources: z.record(z.string(), sourceSchema).default({}),
});

export { severity as severitySchema };

function splitSource(text: string): { schema: string; table: string; column: string } {
  const [schema = "", table = "", column = ""] = text.split(".");
  return { schema, table, column };
}
