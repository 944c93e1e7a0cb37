import { type ProjectConfig, projectSchema } from "../../src/config/project-schema.ts";
import type { Database } from "../../src/db/database.ts";
import { type GenerateOptions, generateAttempts } from "../../src/simulator/generate-attempts.ts";

/** A config for the simulator at `url` with fast retries (tests wait milliseconds, not seconds). */
export function testConfig(url: string, overrides: { api?: object; extract?: object } = {}): ProjectConfig {
  return projectSchema.parse({
    api: {
      url,
      client: "demo",
      client_key: "demo-key",
      timeout_seconds: 5,
      retries: 3,
      retry_base_delay_ms: 20,
      retry_max_delay_seconds: 1,
      ...overrides.api,
    },
    extract: { window_hours: 24, ...overrides.extract },
  });
}

/** JSON with sorted keys: jsonb reorders keys, so records compare by content. */
export function canonical(record: unknown): string {
  const r = record as Record<string, unknown>;
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(r)
        .sort()
        .map((k) => [k, r[k]]),
    ),
  );
}

/** The distinct records the simulator serves for a range, as md5 keys would count them. */
export function expectedRecords(options: GenerateOptions): Set<string> {
  const set = new Set<string>();
  for (const r of generateAttempts(options)) set.add(canonical(r));
  return set;
}

export async function rawCount(db: Database): Promise<{ n: number; distinct: number }> {
  const { rows } = await db.query<{ n: number; distinct: number }>(
    "SELECT count(*)::int AS n, count(DISTINCT record)::int AS distinct FROM raw.api_attempts",
  );
  return rows[0] as { n: number; distinct: number };
}

export async function loads(db: Database) {
  const { rows } = await db.query<{
    id: number;
    status: string;
    http_status: number | null;
    records: number;
    inserted: number;
    duplicates: number;
    attempts: number;
    mode: string;
    error: string | null;
    window_start: Date;
    window_end: Date;
  }>("SELECT * FROM elt.loads ORDER BY id");
  return rows;
}
