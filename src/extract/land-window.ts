import { advisoryKey } from "../db/advisory-key.ts";
import type { Database, Queryable } from "../db/database.ts";
import { utcTimestampText } from "../db/type-parsers.ts";
import { copyTextLine } from "./copy-text.ts";
import type { TimeWindow } from "./load-ledger.ts";
import { splitJsonArray } from "./split-json-array.ts";

export interface Landed {
  /** Records in the response. */
  records: number;
  /** Records new to raw.api_attempts; the rest were landed before (same record hash). */
  inserted: number;
  firstRawId: number | null;
  lastRawId: number | null;
}

const LANDING_LOCK = advisoryKey("landing");

/**
 * Lands one response atomically: its elements stream through COPY into a temporary table (jsonb
 * validates each), then move into raw.api_attempts, skipping records already there (same md5 of
 * the jsonb text), and `finish` records the load in the same transaction. A cut-off or invalid
 * body, or a database failure, rolls everything back: nothing of the attempt is visible. The
 * transaction holds the "landing" advisory lock, so landings of two processes never interleave.
 */
export async function landWindow(
  db: Database,
  loadId: number,
  window: TimeWindow,
  body: AsyncIterable<Uint8Array>,
  finish: (tx: Queryable, landed: Landed) => Promise<void>,
): Promise<Landed> {
  return db.transaction(async (tx) => {
    // Landings never interleave, even if the session-level project lock was lost (a dropped
    // connection): raw.api_attempts ids must grow in landing order for the models' watermark.
    await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [LANDING_LOCK]);
    await tx.query(
      `CREATE TEMP TABLE elt_landing (ord bigint GENERATED ALWAYS AS IDENTITY, record jsonb NOT NULL)
       ON COMMIT DROP`,
    );
    let records = 0;
    async function* lines(): AsyncGenerator<string> {
      for await (const elements of splitJsonArray(body)) {
        records += elements.length;
        let text = "";
        for (const element of elements) text += copyTextLine(element);
        yield text;
      }
    }
    await tx.copyFrom("COPY elt_landing (record) FROM STDIN", lines());
    const { rows } = await tx.query<{ inserted: number; first: number | null; last: number | null }>(
      `WITH ins AS (
         INSERT INTO raw.api_attempts (load_id, record, record_hash, window_start, window_end)
         SELECT $1, record, md5(record::text), $2::timestamp, $3::timestamp FROM elt_landing ORDER BY ord
         ON CONFLICT (record_hash) DO NOTHING
         RETURNING id
       )
       SELECT count(*)::bigint AS inserted, min(id) AS first, max(id) AS last FROM ins`,
      [loadId, utcTimestampText(window.start), utcTimestampText(window.end)],
    );
    const row = rows[0];
    const landed: Landed = {
      records,
      inserted: Number(row?.inserted ?? 0),
      firstRawId: row?.first ?? null,
      lastRawId: row?.last ?? null,
    };
    await finish(tx, landed);
    return landed;
  });
}
