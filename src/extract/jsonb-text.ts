import { numericText } from "./numeric-text.ts";

/**
 * The text PostgreSQL prints for a JSON value stored as jsonb (`'…'::jsonb::text`), computed without
 * the database, so landing can hash a record as raw.api_attempts always has (md5 of that text)
 * while the record streams past. jsonb's text is canonical: object keys sorted (shorter first, then
 * by their UTF-8 bytes), the last of duplicate keys kept, `", "` between items and `": "` after
 * keys, strings re-escaped (`\"`, `\\`, `\b \f \n \r \t`, other control characters as `\u00xx`,
 * everything else as itself), numbers as numeric prints them (`1.50` stays, `1e2` is `100`, `-0`
 * is `0`).
 *
 * Null for text that is not JSON (PostgreSQL refuses all of it too). For JSON that PostgreSQL refuses
 * (a raw control character in a string, a lone surrogate escape, a number out of numeric's range)
 * the answer is unspecified: such a record never lands.
 */
export function jsonbText(json: string): string | null {
  const reader = new JsonbReader([]);
  return reader.read(Buffer.from(json)) ? reader.text().toString("utf8") : null;
}

const QUOTE = 34;
const BACKSLASH = 92;
const NONZERO = /[1-9]/;
const COLON_SPACE = Buffer.from(": ");
const COMMA_SPACE = Buffer.from(", ");
const OPEN_OBJECT = Buffer.from("{");
const OPEN_ARRAY = Buffer.from("[");
const CLOSE_OBJECT = Buffer.from("}");
const CLOSE_ARRAY = Buffer.from("]");
const EMPTY_OBJECT = Buffer.from("{}");
const EMPTY_ARRAY = Buffer.from("[]");
const WORDS: Record<number, Buffer> = {
  116: Buffer.from("true"),
  102: Buffer.from("false"),
  110: Buffer.from("null"),
};

/** One object or array being read: its text is written from `start` in the output. */
interface Frame {
  object: boolean;
  start: number;
  /** Objects: where their members begin in JsonbReader.members. */
  base: number;
}

// Per member in JsonbReader.members: where its key's jsonb text and its value's text lie in the
// output, and where its key as stored (decoded) lies in the key store.
const KEY_TEXT = 0;
const VALUE = 2;
const KEY = 4;
const SLOTS = 6;
// Copies shorter than this go faster byte by byte than through Buffer.copy.
const SHORT_COPY = 48;

function isSpace(c: number | undefined): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

/** A growable byte buffer, reused from one value to the next. */
class Bytes {
  buffer = Buffer.allocUnsafe(16 * 1024);
  length = 0;

  room(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  /** Appends src[from, to). */
  append(src: Buffer, from = 0, to = src.length): void {
    this.room(to - from);
    if (to - from < SHORT_COPY) {
      const out = this.buffer;
      let at = this.length;
      for (let k = from; k < to; k++) out[at++] = src[k] as number;
      this.length = at;
    } else {
      this.length += src.copy(this.buffer, this.length, from, to);
    }
  }

  appendString(s: string): void {
    this.room(s.length * 3);
    this.length += this.buffer.write(s, this.length, "utf8");
  }
}

/**
 * Reads JSON values from their UTF-8 bytes and writes their jsonb text (see jsonbText), reusing its
 * buffers from one value to the next. Without recursion: nesting costs memory, not stack, so a
 * record nested deeper than PostgreSQL allows is still read (and then refused there). Of a top-level
 * object it keeps the members named in `fields`, as `member` gives them.
 */
export class JsonbReader {
  private readonly out = new Bytes();
  /** A copy of an object's text while it is rewritten in key order. */
  private readonly scratch = new Bytes();
  /** The top-level object's text, in key order. */
  private readonly final = new Bytes();
  /** Where the text of the value last read is: `out`, or `final` for an object. */
  private result = this.out;
  /** The keys of the objects being read, as stored. */
  private readonly keyStore = new Bytes();
  /** The kept members' values. */
  private readonly kept = new Bytes();
  private readonly frames: Frame[] = [];
  private readonly members: number[] = [];
  private readonly order: number[] = [];
  private readonly fields: Buffer[];
  /** Per field: where its value lies in `kept` (start, end), or -1. */
  private readonly found: number[];

  constructor(fields: readonly string[]) {
    this.fields = fields.map((f) => Buffer.from(f));
    this.found = fields.flatMap(() => [-1, -1]);
  }

  /** The jsonb text of the value last read: valid until the next read. */
  text(): Buffer {
    return this.result.buffer.subarray(0, this.result.length);
  }

  /** The jsonb text of fields[i] in the top-level object last read; undefined when absent. */
  member(i: number): string | undefined {
    const start = this.found[2 * i] as number;
    return start < 0 ? undefined : this.kept.buffer.toString("utf8", start, this.found[2 * i + 1]);
  }

  /** Whether fields[i] of the top-level object last read is there and not JSON null. */
  hasValue(i: number): boolean {
    const start = this.found[2 * i] as number;
    if (start < 0) return false;
    const end = this.found[2 * i + 1] as number;
    return !(end - start === 4 && bytesAt(this.kept.buffer, start, WORDS[110] as Buffer));
  }

  /** Copies the jsonb text of fields[i] (which hasValue) to `target` at `at`; returns its length. */
  copyMember(i: number, target: Buffer, at: number): number {
    return this.kept.buffer.copy(target, at, this.found[2 * i], this.found[2 * i + 1]);
  }

  /** The length of the jsonb text of fields[i] (which hasValue). */
  memberLength(i: number): number {
    return (this.found[2 * i + 1] as number) - (this.found[2 * i] as number);
  }

  /** Reads one JSON value from `b`; false when it is not JSON. */
  read(b: Buffer): boolean {
    const out = this.out;
    const slots = this.members;
    out.length = 0;
    this.result = out;
    this.keyStore.length = 0;
    this.kept.length = 0;
    this.found.fill(-1);
    const n = b.length;
    let depth = 0;
    let members = 0; // slots in use
    // Where the next backslash is (-1: none): most strings hold none and are copied as they stand.
    let backslash = b.indexOf(BACKSLASH);
    let i = 0;
    let state: "value" | "key" | "after" = "value";
    let valueStart = 0;
    for (;;) {
      while (isSpace(b[i])) i++;
      if (state === "after") {
        const top = this.frames[depth - 1];
        if (depth === 0 || top === undefined) return i === n;
        if (top.object) {
          slots[members - SLOTS + VALUE] = valueStart;
          slots[members - SLOTS + VALUE + 1] = out.length;
          if (depth === 1) this.keep(members - SLOTS);
        }
        const c = b[i++];
        if (c === 44 /* , */) {
          if (top.object) state = "key";
          else {
            out.append(COMMA_SPACE);
            valueStart = out.length;
            state = "value";
          }
          continue;
        }
        if (c !== (top.object ? 125 /* } */ : 93) /* ] */) return false;
        depth--;
        if (top.object) {
          this.closeObject(top, members, depth === 0);
          members = top.base;
        } else {
          out.append(CLOSE_ARRAY);
        }
        valueStart = top.start;
        continue;
      }
      const c = b[i];
      if (c === QUOTE) {
        const end = stringEnd(b, i, backslash);
        if (end < 0) return false;
        const start = out.length;
        if (!this.string(b, i, end, backslash)) return false;
        if (backslash !== -1 && backslash < end) backslash = b.indexOf(BACKSLASH, end);
        i = end + 1;
        if (state === "key") {
          while (isSpace(b[i])) i++;
          if (b[i++] !== 58 /* : */) return false;
          slots[members + KEY_TEXT] = start;
          slots[members + KEY_TEXT + 1] = out.length;
          slots[members + KEY] = this.keyStore.length;
          this.storeKey(start, out.length);
          slots[members + KEY + 1] = this.keyStore.length;
          members += SLOTS;
          out.append(COLON_SPACE);
          valueStart = out.length;
          state = "value";
          continue;
        }
      } else if (state === "key") {
        return false;
      } else if (c === 123 /* { */ || c === 91 /* [ */) {
        const object = c === 123;
        i++;
        while (isSpace(b[i])) i++;
        if (b[i] === (object ? 125 : 93)) {
          // Empty: closed at once.
          i++;
          out.append(object ? EMPTY_OBJECT : EMPTY_ARRAY);
        } else {
          let frame = this.frames[depth];
          if (frame === undefined) {
            frame = { object, start: 0, base: 0 };
            this.frames.push(frame);
          }
          frame.object = object;
          frame.start = out.length;
          frame.base = members;
          depth++;
          out.append(object ? OPEN_OBJECT : OPEN_ARRAY);
          state = object ? "key" : "value";
          valueStart = out.length;
          continue;
        }
      } else if (c === 116 /* t */ || c === 102 /* f */ || c === 110 /* n */) {
        const word = WORDS[c] as Buffer;
        if (!bytesAt(b, i, word)) return false;
        out.append(word);
        i += word.length;
      } else {
        const end = numberEnd(b, i);
        if (end === i || !this.number(b, i, end)) return false;
        i = end;
      }
      state = "after";
    }
  }

  /** Stores the key whose jsonb text is at [start, end) of the output, decoded as jsonb keeps it. */
  private storeKey(start: number, end: number): void {
    const text = this.out.buffer;
    for (let k = start + 1; k < end - 1; k++) {
      if (text[k] === BACKSLASH) {
        this.keyStore.appendString(JSON.parse(text.toString("utf8", start, end)) as string);
        return;
      }
    }
    this.keyStore.append(text, start + 1, end - 1);
  }

  /** Keeps a top-level member's value if it is one of the fields asked for. */
  private keep(slot: number): void {
    const m = this.members;
    const keys = this.keyStore.buffer;
    const ks = m[slot + KEY] as number;
    const length = (m[slot + KEY + 1] as number) - ks;
    for (let f = 0; f < this.fields.length; f++) {
      const field = this.fields[f] as Buffer;
      if (field.length !== length || !bytesAt(keys, ks, field)) continue;
      // A later duplicate replaces an earlier one, as jsonb keeps the last.
      this.found[2 * f] = this.kept.length;
      this.kept.append(this.out.buffer, m[slot + VALUE] as number, m[slot + VALUE + 1] as number);
      this.found[2 * f + 1] = this.kept.length;
    }
  }

  /** Writes a string's jsonb text: as sent when its escapes are jsonb's own, else decoded and escaped again. */
  private string(b: Buffer, start: number, end: number, backslash: number): boolean {
    let canonical = true;
    for (let k = backslash; k !== -1 && k < end; k = b.indexOf(BACKSLASH, k + 2)) {
      const e = b[k + 1];
      // jsonb prints these escapes as they are: \" \\ \b \f \n \r \t; \/ and \u… change.
      if (e !== QUOTE && e !== BACKSLASH && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) {
        canonical = false;
        break;
      }
    }
    if (canonical) {
      this.out.append(b, start, end + 1);
      return true;
    }
    try {
      // JSON.stringify escapes exactly what jsonb's output escapes, the same way.
      this.out.appendString(JSON.stringify(JSON.parse(b.toString("utf8", start, end + 1)) as string));
      return true;
    } catch {
      return false;
    }
  }

  private number(b: Buffer, start: number, end: number): boolean {
    // The common case: numeric prints the text as it stands, but for an exponent or a negative zero.
    let plain = true;
    for (let k = start; k < end && plain; k++) if (b[k] === 101 || b[k] === 69) plain = false;
    if (plain && (b[start] !== 45 || NONZERO.test(b.toString("latin1", start, end)))) {
      this.out.append(b, start, end);
      return true;
    }
    const text = numericText(b.toString("latin1", start, end));
    if (text === null) return false;
    this.out.appendString(text);
    return true;
  }

  /** jsonb's key order for the members in slots x and y: by length in bytes, then bytewise; then as sent. */
  private compare(x: number, y: number): number {
    const m = this.members;
    const keys = this.keyStore.buffer;
    const xs = m[x + KEY] as number;
    const ys = m[y + KEY] as number;
    const xl = (m[x + KEY + 1] as number) - xs;
    const yl = (m[y + KEY + 1] as number) - ys;
    if (xl !== yl) return xl - yl;
    for (let k = 0; k < xl; k++) {
      const d = (keys[xs + k] as number) - (keys[ys + k] as number);
      if (d !== 0) return d;
    }
    return x - y;
  }

  private sameKey(x: number, y: number): boolean {
    const m = this.members;
    const xs = m[x + KEY] as number;
    const ys = m[y + KEY] as number;
    const length = (m[x + KEY + 1] as number) - xs;
    if (length !== (m[y + KEY + 1] as number) - ys) return false;
    const keys = this.keyStore.buffer;
    for (let k = 0; k < length; k++) if (keys[xs + k] !== keys[ys + k]) return false;
    return true;
  }

  /**
   * Writes an object, written to the output as read, in jsonb's key order, the last of duplicate
   * keys kept: in place for a nested one; for the top-level one, to `final` (one copy fewer).
   * `end`: where its members end in this.members.
   */
  private closeObject(frame: Frame, end: number, topLevel: boolean): void {
    const order = this.order;
    // Insertion sort: objects have a few members, and often arrive nearly in order.
    let count = 0;
    for (let slot = frame.base; slot < end; slot += SLOTS) {
      let j = count++;
      while (j > 0 && this.compare(order[j - 1] as number, slot) > 0) {
        order[j] = order[j - 1] as number;
        j--;
      }
      order[j] = slot;
    }
    if (topLevel) {
      this.final.length = 0;
      this.writeMembers(this.final, this.out.buffer, 0, count);
      this.result = this.final;
      return;
    }
    const copy = this.scratch;
    copy.length = 0;
    copy.append(this.out.buffer, frame.start, this.out.length);
    this.out.length = frame.start;
    this.writeMembers(this.out, copy.buffer, frame.start, count);
  }

  /** `{key: value, …}` from the members in this.order; their texts are in `source` at offset - `from`. */
  private writeMembers(target: Bytes, source: Buffer, from: number, count: number): void {
    const m = this.members;
    const order = this.order;
    target.append(OPEN_OBJECT);
    let first = true;
    for (let j = 0; j < count; j++) {
      const slot = order[j] as number;
      // A later duplicate wins (equal keys sort in the order sent).
      if (j + 1 < count && this.sameKey(slot, order[j + 1] as number)) continue;
      if (!first) target.append(COMMA_SPACE);
      first = false;
      target.append(source, (m[slot + KEY_TEXT] as number) - from, (m[slot + KEY_TEXT + 1] as number) - from);
      target.append(COLON_SPACE);
      target.append(source, (m[slot + VALUE] as number) - from, (m[slot + VALUE + 1] as number) - from);
    }
    target.append(CLOSE_OBJECT);
  }
}

/** Whether `b` holds `bytes` at `at` (short ones: a loop beats Buffer.compare's call). */
function bytesAt(b: Buffer, at: number, bytes: Buffer): boolean {
  if (at + bytes.length > b.length) return false;
  for (let k = 0; k < bytes.length; k++) if (b[at + k] !== bytes[k]) return false;
  return true;
}

/** The index of the quote closing the string that opens at `start`, or -1. */
function stringEnd(b: Buffer, start: number, backslash: number): number {
  let from = start + 1;
  for (;;) {
    const q = b.indexOf(QUOTE, from);
    if (q < 0) return -1;
    if (backslash === -1 || backslash > q) return q;
    // Escaped when an odd number of backslashes stands before it.
    let k = q - 1;
    while (b[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q;
    from = q + 1;
  }
}

/** Where the number starting at `start` ends (JSON's grammar); `start` when there is none. */
function numberEnd(b: Buffer, start: number): number {
  let k = start;
  if (b[k] === 45 /* - */) k++;
  if (b[k] === 48 /* 0 */) k++;
  else if (isDigit(b[k])) while (isDigit(b[k])) k++;
  else return start;
  if (b[k] === 46 /* . */) {
    if (!isDigit(b[++k])) return start;
    while (isDigit(b[k])) k++;
  }
  if (b[k] === 101 || b[k] === 69 /* e E */) {
    k++;
    if (b[k] === 43 || b[k] === 45) k++;
    if (!isDigit(b[k])) return start;
    while (isDigit(b[k])) k++;
  }
  return k;
}
