import { advisoryKey } from "../db/advisory-key.ts";
import type { Database, Queryable } from "../db/database.ts";
import { utcTimestampText } from "../db/type-parsers.ts";
import { apiTimestamp } from "./api-timestamp.ts";
import { copyTextLine } from "./copy-text.ts";
import type { TimeWindow } from "./load-ledger.ts";
import { keyHashSql, recordKeySql } from "./record-key.ts";
import { type Reject, rejectOf, writeRejects } from "./rejects.ts";
import { splitJsonArray } from "./split-json-array.ts";
import { type WindowCounts, ZERO_COUNTS } from "./window-counts.ts";

export interface LandingSettings {
  /** extract.record_key: the record fields that identify one attempt. */
  keyFields: readonly string[];
  /** extract.record_time: the field the API's start and end bound. */
  timeField: string;
}

export interface Landed extends WindowCounts {
  /** The seq range this landing wrote (new and re-sent records); null when none. */
  firstSeq: number | null;
  lastSeq: number | null;
  firstRawId: number | null;
  lastRawId: number | null;
  /** The first few rejects, for the log and the report. */
  rejects: Reject[];
}

const LANDING_LOCK = advisoryKey("landing");
/**
 * COPY statements of about this many characters: one bad record costs re-sending at most one of
 * them, and two are in memory at a time (one copied, the next being downloaded).
 */
const CHUNK_CHARS = 1024 * 1024;
const REJECT_SAMPLES = 5;

/** Elements of the answer to COPY together: their texts as sent and their positions in the array. */
interface Chunk {
  texts: string[];
  positions: number[];
}

/** COPY text lines (position, record) for elements [from, to) of a chunk: made when sent, not kept. */
function copyLines(chunk: Chunk, from: number, to: number): string {
  let out = "";
  for (let i = from; i < to; i++) out += `${chunk.positions[i]}\t${copyTextLine(chunk.texts[i] as string)}`;
  return out;
}

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

/**
 * A window bound as canonical API text without trailing fraction zeros (`2024-01-15 00:00:00`,
 * `… 00:00:00.815`): compared as text, `…:00.815000` is then not below `…:00.815`, and `…:00` not below
 * `…:00`, so text order is time order for every canonical spelling of a record's time.
 */
export function boundText(d: Date): string {
  return apiTimestamp(d).replace(/\.?0+$/, "");
}

/** A value PostgreSQL refused (class 22 data exception, 54 program limit such as stack depth). */
function isRecordError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("54"));
}

/** The 1-based line of a COPY error (its CONTEXT: `COPY elt_landing, line 3, column record: …`). */
function copyErrorLine(error: unknown): number | undefined {
  const where = (error as { where?: unknown })?.where;
  const m = typeof where === "string" ? /COPY [^,]+, line (\d+)/.exec(where) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * Lands one response atomically. Its elements stream through COPY, a chunk at a time, into a
 * temporary table (jsonb validates each); an element that is not an object, not UTF-8, or that
 * PostgreSQL cannot store goes to raw.api_rejects with its position and the error, and the rest of
 * the window lands. Then, in the same transaction: new records go into raw.api_attempts (same md5 of
 * the jsonb text = already landed), each attempt key's latest sending gets the highest seq, every
 * change of an attempt's content is kept in raw.api_conflicts, and `finish` records the load. A
 * cut-off or invalid body, a stalled download or a database failure rolls everything back. The
 * transaction holds the "landing" advisory lock, so landings of two processes never interleave.
 */
export async function landWindow(
  db: Database,
  loadId: number,
  window: TimeWindow,
  body: AsyncIterable<Uint8Array>,
  settings: LandingSettings,
  finish: (tx: Queryable, landed: Landed) => Promise<void>,
): Promise<Landed> {
  return db.transaction(async (tx) => {
    // Landings never interleave, even if the session-level project lock was lost (a dropped
    // connection): seq must grow in landing order for the models' watermark.
    await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [LANDING_LOCK]);
    // The window's rows are sorted by position and by key: in memory, not in temp files (a 100k-
    // record window needs ~70 MB); and JIT's compile time buys nothing for these one-pass statements.
    await tx.query("SET LOCAL work_mem = '128MB'; SET LOCAL jit = off");
    const before = await tx.query<{ m: string | null }>("SELECT max(seq) AS m FROM raw.api_attempts");
    const seqBefore = Number(before.rows[0]?.m ?? 0);
    // Hash and key computed as COPY stores each row: one pass, no second copy of the batch.
    await tx.query(
      `CREATE TEMP TABLE elt_landing (
         ord bigint NOT NULL,
         record jsonb NOT NULL,
         h text GENERATED ALWAYS AS (md5(record::text)) STORED,
         k uuid GENERATED ALWAYS AS (${keyHashSql("record", settings.keyFields, settings.timeField)}) STORED
       ) ON COMMIT DROP`,
    );
    const meta = { loadId, window };
    const landed: Landed = {
      ...ZERO_COUNTS,
      firstSeq: null,
      lastSeq: null,
      firstRawId: null,
      lastRawId: null,
      rejects: [],
    };
    let pendingRejects: Reject[] = [];
    const reject = (r: Reject) => {
      landed.rejected++;
      if (r.reason === "not_an_object") landed.nonObjects++;
      if (landed.rejects.length < REJECT_SAMPLES) landed.rejects.push(r);
      pendingRejects.push(r);
    };

    async function* chunks(): AsyncGenerator<Chunk> {
      let chunk: Chunk = { texts: [], positions: [] };
      let size = 0;
      for await (const batch of splitJsonArray(body)) {
        const invalid = batch.invalidUtf8;
        for (let i = 0; i < batch.length; i++) {
          const text = batch[i] as string;
          const position = landed.records++;
          if (invalid?.includes(i)) {
            reject(rejectOf(position, text, "invalid_utf8", "the element's bytes are not valid UTF-8"));
          } else if (text.charCodeAt(0) !== 123 /* { */) {
            reject(rejectOf(position, text, "not_an_object", "the element is not a JSON object"));
          } else {
            chunk.texts.push(text);
            chunk.positions.push(position);
            size += text.length;
          }
        }
        if (size >= CHUNK_CHARS) {
          yield chunk;
          chunk = { texts: [], positions: [] };
          size = 0;
        }
      }
      if (chunk.texts.length > 0) yield chunk;
    }

    // The next chunk downloads and splits while the previous one is copied.
    const source = chunks()[Symbol.asyncIterator]();
    let next = source.next();
    try {
      for (;;) {
        const { value, done } = await next;
        if (done) break;
        next = source.next();
        next.catch(() => {}); // a failure surfaces when awaited above, not as an unhandled rejection
        await copyChunk(tx, value, (i, error) =>
          reject(rejectOf(value.positions[i] as number, value.texts[i] as string, "unstorable", error)),
        );
        if (pendingRejects.length > 0) {
          const batch = pendingRejects;
          pendingRejects = [];
          await writeRejects(tx, meta, batch);
        }
      }
    } finally {
      await source.return?.(undefined).catch(() => {});
    }
    if (pendingRejects.length > 0) await writeRejects(tx, meta, pendingRejects);

    const start = utcTimestampText(window.start);
    const end = utcTimestampText(window.end);
    // Canonical times (`YYYY-MM-DD HH:MM:SS[.ffffff]`) compare as text against bounds written without
    // trailing fraction zeros, which orders them exactly; only other spellings, and the few records
    // outside, pay for the parse (an unreadable time is not outside: the models quarantine it).
    const outside = await tx.query<{ n: string }>(
      `SELECT count(*) AS n FROM (SELECT record ->> $1 AS t FROM elt_landing) AS x
        WHERE CASE WHEN t ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?$'
                   -- Outside by text: still a real time? (2023-02-30 25:61:00 is not outside, it is bad.)
                   THEN CASE WHEN t < $4 OR t >= $5 THEN elt.parse_api_timestamp(t) IS NOT NULL ELSE false END
                   ELSE elt.parse_api_timestamp(t) < $2::timestamp OR elt.parse_api_timestamp(t) >= $3::timestamp END`,
      [settings.timeField, start, end, boundText(window.start), boundText(window.end)],
    );
    landed.outside = Number(outside.rows[0]?.n ?? 0);

    // Each attempt's latest version before this answer: one index probe per key.
    await tx.query(
      `CREATE TEMP TABLE elt_prior ON COMMIT DROP AS
       SELECT keys.k, p.h
         FROM (SELECT DISTINCT k FROM elt_landing WHERE k IS NOT NULL) AS keys
         CROSS JOIN LATERAL (${latestVersionSql("keys.k", "h")}) AS p`,
    );
    const ins = await tx.query<{
      n: string;
      first: string | null;
      last: string | null;
      fid: string | null;
      lid: string | null;
    }>(
      `WITH ins AS (
         INSERT INTO raw.api_attempts (load_id, last_load_id, record, record_hash, key_hash, window_start, window_end)
         SELECT $1, $1, record, h, k, $2::timestamp, $3::timestamp FROM elt_landing ORDER BY ord
         ON CONFLICT (record_hash) DO NOTHING
         RETURNING id, seq
       )
       SELECT count(*) AS n, min(seq) AS first, max(seq) AS last, min(id) AS fid, max(id) AS lid FROM ins`,
      [loadId, start, end],
    );
    const inserted = ins.rows[0];
    landed.inserted = Number(inserted?.n ?? 0);
    const stored = landed.records - landed.rejected;

    // Every change of an attempt's content, in the order the API sent the versions: against its
    // latest version before this answer, then between consecutive versions inside the answer. Found
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
    landed.conflicts = conflicts.rowCount;

    // The latest sending wins: the version sent last must have its attempt's highest seq (models see
    // a moved-up version again and merge it). That can only be wrong for an attempt landed before (a
    // re-send of an older version) or sent in several versions in this answer (A, B, A: the second A
    // is a duplicate of the first, which B has overtaken).
    const bumped = await tx.query<{ seq: string; old: string }>(
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
       RETURNING r.seq, stale.old`,
      [loadId],
    );
    // Re-sent: landed before this answer; the rest were new rows overtaken within it.
    landed.resent = bumped.rows.filter((r) => Number(r.old) <= seqBefore).length;
    landed.duplicates = stored - landed.inserted - landed.resent;
    const seqs = [
      ...(inserted?.first != null ? [Number(inserted.first), Number(inserted.last)] : []),
      ...bumped.rows.map((r) => Number(r.seq)),
    ];
    if (seqs.length > 0) {
      landed.firstSeq = Math.min(...seqs);
      landed.lastSeq = Math.max(...seqs);
    }
    landed.firstRawId = inserted?.fid != null ? Number(inserted.fid) : null;
    landed.lastRawId = inserted?.lid != null ? Number(inserted.lid) : null;
    await finish(tx, landed);
    return landed;
  });
}

/**
 * COPYs one chunk inside a savepoint. A record PostgreSQL refuses fails the whole COPY: the chunk is
 * rolled back, the records before the one the error names are copied again, that one is handed to
 * `refuse`, and the rest is tried on: a record is sent once more for each bad one before it.
 */
async function copyChunk(
  tx: Queryable,
  chunk: Chunk,
  refuse: (index: number, error: unknown) => void,
): Promise<void> {
  const copy = async (from: number, to: number) =>
    tx.copyFrom("COPY elt_landing (ord, record) FROM STDIN", [copyLines(chunk, from, to)]);
  let from = 0;
  while (from < chunk.texts.length) {
    await tx.query("SAVEPOINT elt_chunk");
    try {
      await copy(from, chunk.texts.length);
      await tx.query("RELEASE SAVEPOINT elt_chunk");
      return;
    } catch (error) {
      if (!isRecordError(error)) throw error;
      await tx.query("ROLLBACK TO SAVEPOINT elt_chunk");
      const line = copyErrorLine(error);
      if (line === undefined || line < 1 || from + line > chunk.texts.length) {
        // No usable line named: find the record the slow way, one at a time from here.
        await copyOneByOne(tx, chunk, from, refuse);
        return;
      }
      const bad = from + line - 1;
      if (bad > from) await copy(from, bad);
      await tx.query("RELEASE SAVEPOINT elt_chunk");
      refuse(bad, error);
      from = bad + 1;
    }
  }
}

async function copyOneByOne(
  tx: Queryable,
  chunk: Chunk,
  from: number,
  refuse: (index: number, error: unknown) => void,
): Promise<void> {
  for (let i = from; i < chunk.texts.length; i++) {
    await tx.query("SAVEPOINT elt_one");
    try {
      await tx.copyFrom("COPY elt_landing (ord, record) FROM STDIN", [copyLines(chunk, i, i + 1)]);
      await tx.query("RELEASE SAVEPOINT elt_one");
    } catch (error) {
      if (!isRecordError(error)) throw error;
      await tx.query("ROLLBACK TO SAVEPOINT elt_one");
      refuse(i, error);
    }
  }
}
