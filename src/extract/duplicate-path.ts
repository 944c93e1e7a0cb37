import type { Queryable } from "../db/database.ts";
import { utcTimestampText } from "../db/type-parsers.ts";
import type { AnswerChunk } from "./answer-chunks.ts";
import { CopyBinaryWriter } from "./copy-binary.ts";
import { copyRows } from "./copy-rows.ts";
import type { LandingSettings } from "./landing-settings.ts";
import type { TimeWindow } from "./load-ledger.ts";
import { recordKeySql } from "./record-key.ts";

const COPY_LANDING = "COPY elt_landing (ord, record, h, k) FROM STDIN (FORMAT binary)";

/**
 * SQL for the latest version (highest seq) of the attempt `key` in raw, as a subquery returning
 * `column`. The key's own rows come from the key index first (OFFSET 0 keeps the planner from
 * walking the seq index backwards instead, which on a table without statistics for key_hash it may
 * think cheap, and which reads all of raw for a key that has no rows).
 */
function latestVersionSql(key: string, column: "h" | "record_hash"): string {
  return `SELECT v.record_hash AS ${column} FROM (SELECT record_hash, seq FROM raw.api_attempts WHERE key_hash = ${key} OFFSET 0) AS v
          ORDER BY v.seq DESC LIMIT 1`;
}

export interface Resolved {
  /** Records new to raw. */
  inserted: number;
  /** Changes of an attempt's content, now in raw.api_conflicts. */
  conflicts: number;
  /** Versions landed before this answer that it sent again after another one: they win again. */
  resent: number;
}

/**
 * The duplicate path: chunks that may repeat records already landed, or hold several versions of one
 * attempt, go through a temporary table first (records with their hash and key from Node, and their
 * positions); `resolve` then inserts the new ones, records each change of an attempt's content and
 * moves the version sent last to its attempt's highest seq, and empties the table. It is called
 * before the fast path goes on, so everything before these records in the answer is in raw, and
 * landing an answer in such stretches gives what landing it whole would.
 */
export class DuplicatePath {
  /** Records copied and not resolved yet. */
  pending = 0;

  private constructor(private readonly tx: Queryable) {}

  static async start(tx: Queryable): Promise<DuplicatePath> {
    // The rows are sorted by position and by key: in memory, not in temp files (a 100k-record
    // window needs ~70 MB); and JIT's compile time buys nothing for these one-pass statements.
    await tx.query(`SET LOCAL work_mem = '128MB'; SET LOCAL jit = off;
      CREATE TEMP TABLE elt_landing (ord bigint NOT NULL, record jsonb NOT NULL, h text NOT NULL, k uuid) ON COMMIT DROP;
      CREATE TEMP TABLE elt_prior (k uuid NOT NULL, h text NOT NULL) ON COMMIT DROP`);
    return new DuplicatePath(tx);
  }

  /** Copies the chunk's records from `from` on into the temporary table. */
  async copy(
    chunk: AnswerChunk,
    from: number,
    refuse: (index: number, error: unknown) => void,
  ): Promise<void> {
    const data = (start: number, end: number) => {
      const out = new CopyBinaryWriter(chunk.bytes + (end - start) * 80);
      for (let i = start; i < end; i++) {
        out
          .row(4)
          .int8(chunk.positions[i] as number)
          .jsonb(chunk.records[i] as Buffer)
          .ascii(chunk.hashes[i] as string)
          .uuid(chunk.keys[i] ?? null);
      }
      return [out.finish().data];
    };
    this.pending += (await copyRows(this.tx, COPY_LANDING, chunk.records.length, data, refuse, from)).rows;
  }

  /**
   * Lands the copied records: new ones into raw.api_attempts (same md5 of the jsonb text = already
   * landed), each change of an attempt's content into raw.api_conflicts, and the version of each
   * attempt sent last to its highest seq. `seqBefore`: raw's highest seq before this answer.
   */
  async resolve(
    loadId: number,
    window: TimeWindow,
    settings: LandingSettings,
    seqBefore: number,
  ): Promise<Resolved> {
    const tx = this.tx;
    // Each attempt's latest version before these records: one index probe per key.
    await tx.query(
      `INSERT INTO elt_prior (k, h)
       SELECT keys.k, p.h
         FROM (SELECT DISTINCT k FROM elt_landing WHERE k IS NOT NULL) AS keys
         CROSS JOIN LATERAL (${latestVersionSql("keys.k", "h")}) AS p`,
    );
    const ins = await tx.query(
      `INSERT INTO raw.api_attempts (load_id, last_load_id, record, record_hash, key_hash, window_start, window_end)
       SELECT $1, $1, record, h, k, $2::timestamp, $3::timestamp FROM elt_landing ORDER BY ord
       ON CONFLICT (record_hash) DO NOTHING`,
      [loadId, utcTimestampText(window.start), utcTimestampText(window.end)],
    );

    // Every change of an attempt's content, in the order the API sent the versions: against its
    // latest version before these records, then between consecutive versions among them. Found
    // among the answer's own rows first (usually none), so raw is only read for real changes.
    const changes = await tx.query<{ old_h: string; new_h: string }>(
      `WITH v AS (
         SELECT k, h, ord, lag(h) OVER (PARTITION BY k ORDER BY ord) AS prev_h FROM elt_landing WHERE k IS NOT NULL
       )
       SELECT coalesce(v.prev_h, p.h) AS old_h, v.h AS new_h
         FROM v LEFT JOIN elt_prior AS p ON p.k = v.k
        WHERE coalesce(v.prev_h, p.h) <> v.h
        ORDER BY v.ord`,
    );
    const conflicts =
      changes.rows.length === 0
        ? { rowCount: 0 }
        : await tx.query(
            `INSERT INTO raw.api_conflicts (load_id, record_key, old_raw_id, new_raw_id, changes)
             SELECT $1, ${recordKeySql("n.record", settings.keyFields)}, o.id, n.id,
                    (SELECT coalesce(jsonb_object_agg(f, jsonb_build_array(o.record -> f, n.record -> f)), '{}'::jsonb)
                       FROM jsonb_object_keys(o.record || n.record) AS f
                      WHERE o.record -> f IS DISTINCT FROM n.record -> f)
               FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t (old_h, new_h, n)
               CROSS JOIN LATERAL (SELECT id, record FROM raw.api_attempts WHERE record_hash = t.old_h) AS o
               CROSS JOIN LATERAL (SELECT id, record FROM raw.api_attempts WHERE record_hash = t.new_h) AS n
              ORDER BY t.n`,
            [loadId, changes.rows.map((r) => r.old_h), changes.rows.map((r) => r.new_h)],
          );

    // The latest sending wins: the version sent last must have its attempt's highest seq (models see
    // a moved-up version again and merge it). That can only be wrong for an attempt landed before (a
    // re-send of an older version) or sent in several versions in this answer (A, B, A: the second A
    // is a duplicate of the first, which B has overtaken).
    const bumped = await tx.query<{ old: string }>(
      `WITH candidates AS (
         SELECT k FROM elt_prior
         UNION
         SELECT k FROM elt_landing WHERE k IS NOT NULL GROUP BY k HAVING count(DISTINCT h) > 1
       ), last AS (
         SELECT DISTINCT ON (l.k) l.k, l.h FROM elt_landing AS l JOIN candidates USING (k) ORDER BY l.k, l.ord DESC
       ), stale AS (
         SELECT a.id, a.seq AS old
           FROM last
           -- LATERAL: one index probe per key, whatever the planner guesses of the temp table.
           CROSS JOIN LATERAL (SELECT id, seq FROM raw.api_attempts WHERE record_hash = last.h) AS a
           CROSS JOIN LATERAL (${latestVersionSql("last.k", "record_hash")}) AS win
          WHERE win.record_hash <> last.h
       )
       UPDATE raw.api_attempts AS r SET seq = nextval('raw.api_attempts_seq'), last_load_id = $1
         FROM stale WHERE r.id = stale.id
       RETURNING stale.old`,
      [loadId],
    );
    await tx.query("TRUNCATE elt_landing, elt_prior");
    this.pending = 0;
    return {
      inserted: ins.rowCount,
      conflicts: conflicts.rowCount,
      // Re-sent: landed before this answer; the rest were new rows overtaken within it.
      resent: bumped.rows.filter((r) => Number(r.old) <= seqBefore).length,
    };
  }
}
