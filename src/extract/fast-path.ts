import { setImmediate } from "node:timers/promises";
import type { Queryable } from "../db/database.ts";
import type { AnswerChunk } from "./answer-chunks.ts";
import { CopyBinaryWriter, type CopyData, copyDataOf, int8Field, timestampField } from "./copy-binary.ts";
import { type Copied, copyRows } from "./copy-rows.ts";
import type { KeyTimeSpans } from "./key-time-spans.ts";
import type { TimeWindow } from "./load-ledger.ts";

// Bytes of a row besides the record: field count, lengths, the four constants, hash and key.
const ROW_OVERHEAD = 120;
// Rows made into COPY data between two looks at waiting I/O (~0.3 ms).
const PREPARE_SLICE = 256;
const COPY_RAW =
  "COPY raw.api_attempts (load_id, last_load_id, window_start, window_end, record, record_hash, key_hash) FROM STDIN (FORMAT binary)";

/**
 * The fast path: a chunk of records COPYed straight into raw.api_attempts, with the record hash and
 * attempt key computed in Node (answer-chunks.ts). It only applies while nothing of the chunk can be
 * a duplicate or a new version: no two of its records share an attempt key, no key is in raw yet
 * (earlier chunks of this answer included: one probe of the key index per record, unless no stored
 * record has a time within the chunk's, key-time-spans.ts), and no record hash is (the COPY meets the
 * unique index). Otherwise nothing of the chunk from that point on is stored here, and the caller
 * hands it to the duplicate path (duplicate-path.ts), and has it resolved before the next chunk comes
 * here: the checks above see raw only.
 */
export class FastPath {
  private readonly constants: Buffer[];
  private readonly buffers: (Buffer | undefined)[] = [];
  private turn = 0;

  constructor(
    private readonly tx: Queryable,
    loadId: number,
    window: TimeWindow,
    private readonly spans: KeyTimeSpans,
  ) {
    // load_id, last_load_id, window_start, window_end: the same in every row.
    this.constants = [
      int8Field(loadId),
      int8Field(loadId),
      timestampField(window.start),
      timestampField(window.end),
    ];
  }

  /**
   * The COPY data for the whole chunk, made ahead (while the previous chunk is copied) so that
   * `land` can send it at once; a slice at a time, so that the database's answers to the chunk
   * being copied are not kept waiting.
   */
  async prepare(chunk: AnswerChunk): Promise<CopyData> {
    // Two buffers take turns: while one chunk's data is copied the next one's is made, and by the
    // time a third is made the first was sent. New ones for every chunk would wait for the garbage
    // collector, megabytes at a time.
    const turn = this.turn++ % 2;
    const out = new CopyBinaryWriter(chunk.bytes + chunk.records.length * ROW_OVERHEAD, this.buffers[turn]);
    for (let i = 0; i < chunk.records.length; i++) {
      if (i > 0 && i % PREPARE_SLICE === 0) await setImmediate();
      this.row(out, chunk, i);
    }
    const data = out.finish();
    this.buffers[turn] = out.buffer;
    return data;
  }

  /**
   * Lands the chunk's records up to the first that might be a duplicate or a version of a landed
   * record (see Copied.until): the rest is the duplicate path's.
   */
  async land(
    chunk: AnswerChunk,
    prepared: CopyData,
    refuse: (index: number, error: unknown) => void,
  ): Promise<Copied> {
    let until = chunk.firstRepeat < 0 ? chunk.records.length : chunk.firstRepeat;
    // Only where stored records (other loads', or this landing's) reach these times can a key be
    // landed; keys whose times are no real times are looked up anyway.
    const lookup = this.spans.meets(chunk.keyTimes)
      ? chunk.keys.flatMap((k, i) => (k !== null && i < until ? [i] : []))
      : chunk.loose.filter((i) => i < until);
    if (lookup.length > 0) until = (await this.firstLanded(chunk, lookup)) ?? until;
    if (until === 0) return { rows: 0, until: 0 };
    return copyRows(this.tx, COPY_RAW, until, (from, to) => copyDataOf(prepared, from, to), refuse);
  }

  /** The first of these records whose attempt raw holds a version of; undefined when none. */
  private async firstLanded(chunk: AnswerChunk, records: number[]): Promise<number | undefined> {
    // One text parameter: cheaper to send than an array of thousands of strings.
    const { rows } = await this.tx.query<{ n: string | null }>(
      `SELECT min(k.n) AS n FROM unnest(string_to_array($1, ',')::uuid[]) WITH ORDINALITY AS k (key, n)
        WHERE EXISTS (SELECT 1 FROM raw.api_attempts AS a WHERE a.key_hash = k.key)`,
      [records.map((i) => chunk.keys[i]).join(",")],
    );
    const n = rows[0]?.n;
    return n == null ? undefined : records[Number(n) - 1];
  }

  private row(out: CopyBinaryWriter, chunk: AnswerChunk, i: number): void {
    out.row(7);
    for (const field of this.constants) out.field(field);
    out
      .jsonb(chunk.records[i] as Buffer)
      .ascii(chunk.hashes[i] as string)
      .uuid(chunk.keys[i] ?? null);
  }
}
