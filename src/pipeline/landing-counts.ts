import type { Queryable } from "../db/database.ts";

/** Where each record landed (or re-sent) in this run went, so `landed = loaded + quarantined + duplicates` can be checked. */
export interface LandingCounts {
  /** New raw rows this run (records already landed earlier are not counted again). */
  landed: number;
  /** Distinct grade keys among this run's good records. */
  loaded: number;
  quarantined: number;
  /** Good records whose key another record of this run also has (the latest landed one is kept). */
  duplicates: number;
}

/**
 * Counts over the raw seqs this run wrote (new records and re-sent ones), for the shipped models: a record is either in the
 * quarantine (the relation given, with `raw_id`) or good, and a good record's grade key is its
 * `lti_user_id` and `created_at` as staging reads them. Read from raw, not from the staging view, so
 * no passback is parsed again just to count.
 */
export async function landingCounts(
  db: Queryable,
  quarantine: string,
  seqs: { first: number; last: number },
): Promise<LandingCounts> {
  const { rows } = await db.query<{ landed: number; good: number; loaded: number; quarantined: number }>(
    `SELECT count(*)::int AS landed,
            count(*) FILTER (WHERE q.raw_id IS NULL)::int AS good,
            count(DISTINCT (r.record ->> 'lti_user_id', elt.parse_api_timestamp(r.record ->> 'created_at')))
              FILTER (WHERE q.raw_id IS NULL)::int AS loaded,
            count(q.raw_id)::int AS quarantined
       FROM raw.api_attempts AS r
       LEFT JOIN ${quarantine} AS q ON q.raw_id = r.id
      WHERE r.seq BETWEEN $1 AND $2`,
    [seqs.first, seqs.last],
  );
  const r = rows[0] ?? { landed: 0, good: 0, loaded: 0, quarantined: 0 };
  return { landed: r.landed, loaded: r.loaded, quarantined: r.quarantined, duplicates: r.good - r.loaded };
}
