import { advisoryKey } from "../db/advisory-key.ts";
import type { Database, Queryable } from "../db/database.ts";
import { type AnswerChunk, answerChunks } from "./answer-chunks.ts";
import type { CopyData } from "./copy-binary.ts";
import { DuplicatePath } from "./duplicate-path.ts";
import { FastPath } from "./fast-path.ts";
import { type KeyTimeSpan, KeyTimeSpans, union } from "./key-time-spans.ts";
import type { LandingSettings } from "./landing-settings.ts";
import type { TimeWindow } from "./load-ledger.ts";
import { type Reject, rejectOf, writeRejects } from "./rejects.ts";
import { type WindowCounts, ZERO_COUNTS } from "./window-counts.ts";

export interface Landed extends WindowCounts {
  /** The seq range this landing wrote (new and re-sent records); null when none. */
  firstSeq: number | null;
  lastSeq: number | null;
  firstRawId: number | null;
  lastRawId: number | null;
  /** The first few rejects, for the log and the report. */
  rejects: Reject[];
  /** Records that went the duplicate path (duplicate-path.ts) rather than straight into raw. */
  viaDuplicatePath: number;
  /**
   * The record times of the answer's keyed records, and their field (null: the key holds no time):
   * the load's span for later landings (key-time-spans.ts).
   */
  keyTimeField: string | null;
  keyTimes: KeyTimeSpan | undefined;
}

const LANDING_LOCK = advisoryKey("landing");
const REJECT_SAMPLES = 5;

/**
 * Lands one response atomically. Its elements stream in chunks, each record hashed as raw keeps it
 * (md5 of its jsonb text) and given its attempt key in Node while the previous chunk is copied. A
 * chunk whose records cannot be duplicates or new versions of landed ones goes straight into
 * raw.api_attempts by COPY (fast-path.ts); one that might (from the record where that shows) goes
 * through a temporary table, where, before the next chunk is looked at, new records are inserted,
 * each attempt key's latest sending gets the highest seq and every change of an attempt's content is
 * kept in raw.api_conflicts (duplicate-path.ts). An element that is not an object, not UTF-8, or that
 * PostgreSQL cannot store goes to raw.api_rejects with its position and the error, and the rest of
 * the window lands. `finish` records the load. A cut-off or invalid body, a stalled download or a
 * database failure rolls everything back. The transaction holds the "landing" advisory lock, so
 * landings of two processes never interleave.
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
    // connection): seq must grow in landing order for the models' watermark, and what is in raw
    // above these marks at the end is this landing's.
    await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [LANDING_LOCK]);
    const before = await tx.query<{ seq: string | null; id: string | null }>(
      "SELECT (SELECT max(seq) FROM raw.api_attempts) AS seq, (SELECT max(id) FROM raw.api_attempts) AS id",
    );
    const seqBefore = Number(before.rows[0]?.seq ?? 0);
    const idBefore = Number(before.rows[0]?.id ?? 0);
    const meta = { loadId, window };
    const landed: Landed = {
      ...ZERO_COUNTS,
      firstSeq: null,
      lastSeq: null,
      firstRawId: null,
      lastRawId: null,
      rejects: [],
      viaDuplicatePath: 0,
      keyTimeField: settings.keyFields.includes(settings.timeField) ? settings.timeField : null,
      keyTimes: undefined,
    };
    let pendingRejects: Reject[] = [];
    const reject = (r: Reject) => {
      landed.rejected++;
      if (r.reason === "not_an_object") landed.nonObjects++;
      if (landed.rejects.length < REJECT_SAMPLES) landed.rejects.push(r);
      pendingRejects.push(r);
    };

    const spans = await KeyTimeSpans.load(tx, loadId, settings);
    const fast = new FastPath(tx, loadId, window, spans);
    let duplicates: DuplicatePath | undefined;
    // Lands what the duplicate path holds, so that raw has everything of the answer so far.
    const resolve = async () => {
      if (!duplicates?.pending) return;
      const resolved = await duplicates.resolve(loadId, window, settings, seqBefore);
      landed.inserted += resolved.inserted;
      landed.conflicts += resolved.conflicts;
      landed.resent += resolved.resent;
    };
    const landChunk = async ({ chunk, prepared }: { chunk: AnswerChunk; prepared: CopyData }) => {
      const refused = new Set<number>();
      const refuse = (i: number, error: unknown) => {
        refused.add(i);
        const sent = chunk.sent.get(i) ?? (chunk.records[i] as Buffer);
        reject(rejectOf(chunk.positions[i] as number, sent.toString("utf8"), "unstorable", error));
      };
      await resolve();
      const copied = await fast.land(chunk, prepared, refuse);
      landed.inserted += copied.rows;
      if (copied.until < chunk.records.length) {
        duplicates ??= await DuplicatePath.start(tx);
        await duplicates.copy(chunk, copied.until, refuse);
        for (let i = copied.until; i < chunk.records.length; i++)
          if (!refused.has(i)) landed.viaDuplicatePath++;
      }
      // Its records are in raw by the time the next chunk is looked at.
      spans.add(chunk.keyTimes);
      landed.keyTimes = union(landed.keyTimes, chunk.keyTimes);
      chunk.outside.forEach((outside, i) => {
        if (outside && !refused.has(i)) landed.outside++;
      });
    };

    // The next chunk downloads, splits, is identified and made into COPY data while the previous
    // one is copied.
    const chunks = answerChunks(body, window, settings, reject, () => landed.records++);
    async function* ready() {
      for await (const chunk of chunks) yield { chunk, prepared: await fast.prepare(chunk) };
    }
    const source = ready()[Symbol.asyncIterator]();
    let next = source.next();
    try {
      for (;;) {
        const { value, done } = await next;
        if (done) break;
        next = source.next();
        next.catch(() => {}); // a failure surfaces when awaited above, not as an unhandled rejection
        await landChunk(value);
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
    await resolve();

    const stored = landed.records - landed.rejected;
    landed.duplicates = stored - landed.inserted - landed.resent;
    // What this landing wrote: new rows (ids past idBefore) and moved-up versions (seqs past seqBefore).
    const written = await tx.query<{
      fs: string | null;
      ls: string | null;
      fid: string | null;
      lid: string | null;
    }>(
      `SELECT (SELECT min(seq) FROM raw.api_attempts WHERE seq > $1) AS fs, (SELECT max(seq) FROM raw.api_attempts) AS ls,
              (SELECT min(id) FROM raw.api_attempts WHERE id > $2) AS fid, (SELECT max(id) FROM raw.api_attempts) AS lid`,
      [seqBefore, idBefore],
    );
    const w = written.rows[0];
    if (w?.fs != null) {
      landed.firstSeq = Number(w.fs);
      landed.lastSeq = Number(w.ls);
    }
    if (w?.fid != null) {
      landed.firstRawId = Number(w.fid);
      landed.lastRawId = Number(w.lid);
    }
    await finish(tx, landed);
    return landed;
  });
}
