import { setImmediate } from "node:timers/promises";
import type { Queryable } from "../db/database.ts";
import type { AnswerChunk } from "./answer-chunks.ts";
import { CopyBinaryWriter, int8Field, timestampField } from "./copy-binary.ts";
import { type Copied, copyRows } from "./copy-rows.ts";
import type { KeyTimeSpans } from "./key-time-spans.ts";
import type { TimeWindow } from "./load-ledger.ts";

// Bytes of a row besides the record: field count, lengths, the four constants, hash and key.
const ROW_OVERHEAD = 120;
// Rows made into COPY data between two looks at waiting I/O.
const PREPARE_SLICE = 500;
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
  async prepare(chunk: AnswerChunk): Promise<Buffer> {
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

  /** Lands the chunk, or as much of it as can go this way (see Copied.until). */
  async land(
    chunk: AnswerChunk,
    prepared: Buffer,
    refuse: (index: number, error: unknown) => void,
  ): Promise<Copied> {
    if (chunk.repeatsKey) return { rows: 0, until: 0 };
    // Only where stored records (other loads', or this landing's) reach these times can a key be
    // landed; keys whose times are no real times are looked up anyway.
    const keys = this.spans.meets(chunk.keyTimes) ? chunk.keys.filter((k) => k !== null) : chunk.looseKeys;
    if (keys.length > 0 && (await this.anyKeyLanded(keys))) return { rows: 0, until: 0 };
    const n = chunk.records.length;
    const data = (from: number, to: number) =>
      from === 0 && to === n ? prepared : this.rows(chunk, from, to);
    return copyRows(this.tx, COPY_RAW, n, data, refuse);
  }

  /** Whether raw holds any version of these attempts. */
  private async anyKeyLanded(keys: string[]): Promise<boolean> {
    // One text parameter: cheaper to send than an array of thousands of strings.
    const { rows } = await this.tx.query(
      `SELECT 1 FROM unnest(string_to_array($1, ',')::uuid[]) AS k
        WHERE EXISTS (SELECT 1 FROM raw.api_attempts AS a WHERE a.key_hash = k) LIMIT 1`,
      [keys.join(",")],
    );
    return rows.length > 0;
  }

  private rows(chunk: AnswerChunk, from: number, to: number): Buffer {
    const out = new CopyBinaryWriter(chunk.bytes + (to - from) * ROW_OVERHEAD);
    for (let i = from; i < to; i++) this.row(out, chunk, i);
    return out.finish();
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
