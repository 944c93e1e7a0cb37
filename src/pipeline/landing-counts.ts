import type { Queryable } from "../db/database.ts";

/** Where each record landed in this run went, so `landed = loaded + quarantined + duplicates` can be checked. */
export interface LandingCounts {
  /** New raw rows this run (records already landed earlier are not counted again). */
  landed: number;
  /** Distinct grade keys among this run's good records. */
  loaded: number;
  quarantined: number;
  /** Good records whose key another record of this run also has (the latest landed one is kept). */
  duplicates: number;
}

export interface CountRelations {
  /** The staging relation (has `_raw_id` and `reject_reason`), quoted. */
  staging: string;
  /** The quarantine relation (has `raw_id`), quoted. */
  quarantine: string;
}

/**
 * Counts over the raw ids landed by this run. The relations come from the project's models: a
 * project whose models differ from the shipped ones simply has no counts (undefined).
 */
export async function landingCounts(
  db: Queryable,
  relations: CountRelations,
  rawIds: { first: number; last: number },
): Promise<LandingCounts> {
  const { rows } = await db.query<{ landed: number; good: number; loaded: number; quarantined: number }>(
    `SELECT
       (SELECT count(*) FROM raw.api_attempts WHERE id BETWEEN $1 AND $2)::int AS landed,
       count(*)::int AS good,
       count(DISTINCT (user_id, created_at))::int AS loaded,
       (SELECT count(*) FROM ${relations.quarantine} WHERE raw_id BETWEEN $1 AND $2)::int AS quarantined
     FROM ${relations.staging}
     WHERE _raw_id BETWEEN $1 AND $2 AND reject_reason IS NULL`,
    [rawIds.first, rawIds.last],
  );
  const r = rows[0] ?? { landed: 0, good: 0, loaded: 0, quarantined: 0 };
  return { landed: r.landed, loaded: r.loaded, quarantined: r.quarantined, duplicates: r.good - r.loaded };
}
