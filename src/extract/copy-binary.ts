/**
 * Rows in PostgreSQL's binary COPY format (`COPY … FROM STDIN (FORMAT binary)`): no text escaping on
 * either side, and fields such as timestamps go as numbers, not text the server must parse.
 */

// Signature, flags (none), header extension length (none); and the end of the rows.
const HEADER = Buffer.from("PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0", "latin1");
const TRAILER = Buffer.from([0xff, 0xff]);

/** A COPY's data, and where each row starts in it (and, last, where the trailer does). */
export interface CopyData {
  data: Buffer;
  starts: Int32Array;
}

/**
 * The COPY data for rows [from, to) of `whole`, as pieces to send one after the other: views of it,
 * with the header and trailer around them, so a COPY of part of the rows copies nothing.
 */
export function copyDataOf(whole: CopyData, from: number, to: number): Buffer[] {
  const rows = whole.data.subarray(whole.starts[from], whole.starts[to]);
  return [HEADER, rows, TRAILER];
}
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 2 ** 32;

/** One field's bytes (length and value), made once for a value every row repeats. */
export function int8Field(n: number): Buffer {
  const b = Buffer.allocUnsafe(12);
  b.writeInt32BE(8, 0);
  b.writeInt32BE(Math.floor(n / TWO_32), 4);
  b.writeUInt32BE(n >>> 0, 8);
  return b;
}

/** A `timestamp` (without time zone) field: microseconds since 2000-01-01, the Date read as UTC. */
export function timestampField(d: Date): Buffer {
  const b = Buffer.allocUnsafe(12);
  b.writeInt32BE(8, 0);
  b.writeBigInt64BE(BigInt(d.getTime() - PG_EPOCH_MS) * 1000n, 4);
  return b;
}

/** Builds one COPY's data: the header, rows, and the trailer; grows as needed. */
export class CopyBinaryWriter {
  private at: number;
  private readonly starts: number[] = [];

  /**
   * `sizeHint`: about how many bytes the rows will take. `reuse`: a buffer to write into, when it is
   * large enough (what `buffer` held after an earlier COPY whose data is no longer needed).
   */
  constructor(sizeHint: number, reuse?: Buffer) {
    const size = sizeHint + HEADER.length + 2;
    this.buffer = reuse && reuse.length >= size ? reuse : Buffer.allocUnsafe(Math.max(1024, size));
    HEADER.copy(this.buffer);
    this.at = HEADER.length;
  }

  /** The whole buffer written into (it may have grown), to reuse once its data has been sent. */
  buffer: Buffer;

  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }

  /** Starts a row of `fields` fields. */
  row(fields: number): this {
    this.starts.push(this.at);
    this.room(2);
    this.at = this.buffer.writeInt16BE(fields, this.at);
    return this;
  }

  /** A field made beforehand (int8Field, timestampField). */
  field(bytes: Buffer): this {
    this.room(bytes.length);
    this.at += bytes.copy(this.buffer, this.at);
    return this;
  }

  int8(n: number): this {
    this.room(12);
    this.at = this.buffer.writeInt32BE(8, this.at);
    this.at = this.buffer.writeInt32BE(Math.floor(n / TWO_32), this.at);
    this.at = this.buffer.writeUInt32BE(n >>> 0, this.at);
    return this;
  }

  /** A text field of ASCII characters (a hash's hex digits). */
  ascii(s: string): this {
    this.room(4 + s.length);
    this.at = this.buffer.writeInt32BE(s.length, this.at);
    this.at += this.buffer.write(s, this.at, "latin1");
    return this;
  }

  /** A jsonb field: format version 1, then the JSON text's UTF-8 bytes. */
  jsonb(json: Buffer): this {
    this.room(5 + json.length);
    this.at = this.buffer.writeInt32BE(json.length + 1, this.at);
    this.buffer[this.at++] = 1;
    this.at += json.copy(this.buffer, this.at);
    return this;
  }

  /** A uuid field from its 32 hex digits, or NULL. */
  uuid(hex: string | null): this {
    this.room(20);
    if (hex === null) {
      this.at = this.buffer.writeInt32BE(-1, this.at);
      return this;
    }
    this.at = this.buffer.writeInt32BE(16, this.at);
    this.at += this.buffer.write(hex, this.at, 16, "hex");
    return this;
  }

  /** The COPY data, trailer included, and where its rows start; the writer is done. */
  finish(): CopyData {
    this.starts.push(this.at);
    this.room(2);
    this.at += TRAILER.copy(this.buffer, this.at);
    return { data: this.buffer.subarray(0, this.at), starts: Int32Array.from(this.starts) };
  }
}
