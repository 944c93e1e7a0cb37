import type { Queryable } from "../db/database.ts";
import type { ModelFingerprint } from "./model-fingerprint.ts";

/**
 * Each model's fingerprint at its last published build (migration 0090), for `state:modified`.
 * A database without that migration, or never built, has none: every model reads as new.
 */
export async function readFingerprints(db: Queryable): Promise<Map<string, ModelFingerprint>> {
  const { rows: ready } = await db.query<{ ok: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('elt.model_runs')
        AND attname = 'sql_hash' AND NOT attisdropped) AS ok`,
  );
  if (!ready[0]?.ok) return new Map();
  const { rows } = await db.query<{ model: string; sql_hash: string; config_hash: string }>(
    `SELECT DISTINCT ON (model) model, sql_hash, config_hash FROM elt.model_runs
      WHERE published AND status = 'success' AND sql_hash IS NOT NULL
      ORDER BY model, id DESC`,
  );
  return new Map(rows.map((r) => [r.model, { sql: r.sql_hash, config: r.config_hash }]));
}
