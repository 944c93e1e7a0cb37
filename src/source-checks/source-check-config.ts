import { z } from "zod";

/**
 * The source checks a source table declares in a models yml, dbt-style:
 *
 *   tables:
 *     - name: api_attempts
 *       loaded_at_field: created_at
 *       freshness: {warn_after: {count: 36, period: hour}, error_after: {count: 72, period: hour}}
 *       drift: {severity: warn, nested: [passback_params]}
 *
 * Field names are keys of the landed records' JSON; the engine knows none of them.
 */

const PERIOD_HOURS = { minute: 1 / 60, hour: 1, day: 24 } as const;

const after = z.strictObject({
  count: z.number().positive(),
  period: z.enum(["minute", "hour", "day"]),
});

export const freshnessSchema = z
  .strictObject({
    warn_after: after.optional(),
    error_after: after.optional(),
  })
  .refine((f) => f.warn_after || f.error_after, { message: "needs warn_after or error_after" });

export const driftSchema = z.strictObject({
  severity: z.enum(["warn", "error"]).default("warn"),
  /** Keys holding a Python dict literal (or a JSON object) whose own keys are checked too. */
  nested: z.array(z.string().min(1)).default([]),
  /** A finding needs at least this many records of the load showing it (small windows are noisy). */
  min_records: z.number().int().positive().default(5),
  /** A type new to a key counts when it holds at least this share of the key's values in the load. */
  min_share: z.number().min(0).max(1).default(0.05),
  /** A key (or a key's type) is usual when it is in at least this share of the baseline's records. */
  usual_share: z.number().min(0).max(1).default(0.99),
  /** The baseline: the shapes of this many earlier loads (with records) summed. */
  baseline_loads: z.number().int().positive().default(60),
  /**
   * Shapes are counted on at most this many records of a load, spread evenly over it (every k-th
   * seq); 0 counts every record. Findings need min_share of the records, which a sample of
   * thousands estimates to within a fraction of a percent, at a fraction of a full pass's cost.
   */
  sample: z.number().int().min(0).default(10_000),
});

/** The keys a source table entry may carry for the checks (merged into the sidecar schema). */
export const sourceCheckKeys = {
  loaded_at_field: z.string().min(1).optional(),
  freshness: freshnessSchema.optional(),
  drift: driftSchema.optional(),
};

export type DriftSettings = z.output<typeof driftSchema>;

export interface FreshnessSettings {
  /** The record's key holding its time (parsed as the models parse it). */
  field: string;
  warnAfterHours?: number;
  errorAfterHours?: number;
}

/** The checks of one source table, as the pipeline runs them. */
export interface SourceChecks {
  /** `source.table` in the yml. */
  name: string;
  /** The relation, `schema.table` unquoted. */
  relation: string;
  freshness?: FreshnessSettings;
  drift?: DriftSettings;
}

type TableEntry = {
  loaded_at_field?: string | undefined;
  freshness?: z.output<typeof freshnessSchema> | undefined;
  drift?: DriftSettings | undefined;
};

const hours = (a: z.output<typeof after> | undefined) =>
  a === undefined ? undefined : a.count * PERIOD_HOURS[a.period];

/**
 * A table entry's checks, or problems (key path → message) when they cannot run. Checks run on the
 * table the extract lands only: that is where loads, their records and their times are known.
 */
export function sourceChecksOf(
  name: string,
  relation: { schema: string; table: string },
  entry: TableEntry,
  landing: { schema: string; table: string },
): { checks?: SourceChecks; problems: { key: string; message: string }[] } {
  const problems: { key: string; message: string }[] = [];
  if (!entry.freshness && !entry.drift) {
    if (entry.loaded_at_field) problems.push({ key: "loaded_at_field", message: "only used by freshness" });
    return { problems };
  }
  if (relation.schema !== landing.schema || relation.table !== landing.table) {
    problems.push({
      key: entry.freshness ? "freshness" : "drift",
      message: `source checks run on the table the extract lands (${landing.schema}.${landing.table}) only`,
    });
  }
  if (entry.freshness && !entry.loaded_at_field) {
    problems.push({ key: "loaded_at_field", message: "Required by freshness (the records' time key)" });
  }
  const f = entry.freshness;
  const warn = hours(f?.warn_after);
  const error = hours(f?.error_after);
  if (warn !== undefined && error !== undefined && error < warn) {
    problems.push({ key: "freshness.error_after", message: "must not be shorter than warn_after" });
  }
  if (problems.length > 0) return { problems };
  return {
    checks: {
      name,
      relation: `${relation.schema}.${relation.table}`,
      ...(f && entry.loaded_at_field
        ? {
            freshness: {
              field: entry.loaded_at_field,
              ...(warn !== undefined ? { warnAfterHours: warn } : {}),
              ...(error !== undefined ? { errorAfterHours: error } : {}),
            },
          }
        : {}),
      ...(entry.drift ? { drift: entry.drift } : {}),
    },
    problems,
  };
}
