import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parse } from "csv-parse/sync";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError } from "../errors.ts";

/** A seed's sidecar `seeds/<name>.yml`. */
const seedConfigSchema = z.strictObject({
  schema: z.string().default("seeds"),
  alias: z.string().optional(),
  description: z.string().optional(),
  column_types: z.record(z.string(), z.string()).default({}),
});

export interface SeedColumn {
  name: string;
  type: string;
}

export interface SeedPlan {
  name: string;
  file: string;
  schema: string;
  table: string;
  columns: SeedColumn[];
  /** Values as text (NULL for empty cells); PostgreSQL casts them to the column types. */
  rows: (string | null)[][];
}

const INFERENCE: [string, RegExp][] = [
  ["boolean", /^(true|false)$/i],
  ["bigint", /^-?\d{1,18}$/],
  ["numeric", /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/],
  ["date", /^\d{4}-\d{2}-\d{2}$/],
  ["timestamp", /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/],
];

/** The narrowest type every non-empty value fits; text when none does (or all are empty). */
export function inferType(values: (string | null)[]): string {
  const present = values.filter((v): v is string => v !== null);
  if (present.length === 0) return "text";
  for (const [type, pattern] of INFERENCE) if (present.every((v) => pattern.test(v))) return type;
  return "text";
}

/** Reads one CSV (header row) and its sidecar into a plan; no database. */
export function planSeed(file: string): SeedPlan {
  const name = basename(file, ".csv");
  const sidecar = file.replace(/\.csv$/, ".yml");
  let config: z.infer<typeof seedConfigSchema>;
  try {
    config = seedConfigSchema.parse(
      existsSync(sidecar) ? (parseYaml(readFileSync(sidecar, "utf8")) ?? {}) : {},
    );
  } catch (error) {
    const issues =
      error instanceof z.ZodError
        ? error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)
        : [(error as Error).message];
    throw new ConfigError(issues.map((m) => `${basename(sidecar)}: ${m}`).join("\n"), {
      code: "SEED_CONFIG",
    });
  }
  let records: string[][];
  try {
    records = parse(readFileSync(file), { bom: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    throw new ConfigError(`${basename(file)}: ${(error as Error).message}`, { code: "SEED_CSV" });
  }
  const [header, ...body] = records;
  if (!header || header.length === 0)
    throw new ConfigError(`${basename(file)}: no header row`, { code: "SEED_CSV" });
  const rows = body.map((r) => r.map((v) => (v === "" ? null : v)));
  const unknown = Object.keys(config.column_types).filter((c) => !header.includes(c));
  if (unknown.length > 0) {
    throw new ConfigError(`${basename(sidecar)}: column_types: no such column ${unknown.join(", ")}`, {
      code: "SEED_CONFIG",
    });
  }
  const columns = header.map((col, i) => ({
    name: col,
    type: config.column_types[col] ?? inferType(rows.map((r) => r[i] ?? null)),
  }));
  return { name, file, schema: config.schema, table: config.alias ?? name, columns, rows };
}

export function planSeeds(dir: string): SeedPlan[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".csv"))
    .sort()
    .map((f) => planSeed(join(dir, f)));
}
