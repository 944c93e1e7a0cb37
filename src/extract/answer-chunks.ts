import { isUtf8 } from "node:buffer";
import { hash } from "node:crypto";
import { setImmediate } from "node:timers/promises";
import { isApiTime } from "./is-api-time.ts";
import { type KeyTimeSpan, widen } from "./key-time-spans.ts";
import type { LandingSettings } from "./landing-settings.ts";
import type { TimeWindow } from "./load-ledger.ts";
import { outsideWindow } from "./outside-window.ts";
import { RecordIdentifier } from "./record-identity.ts";
import { type Reject, rejectOf } from "./rejects.ts";
import { splitJsonArray } from "./split-json-array.ts";
import { storedBytes } from "./stored-json.ts";

/**
 * Records of an answer to COPY together, each with what landing needs to know of it, computed here
 * while the previous chunk is being copied: its record hash, attempt key and whether it is outside
 * the window. The COPY data is made from the bytes when sent.
 */
export interface AnswerChunk {
  /** The records' bytes as stored (stored-json.ts), and their positions in the answer. */
  records: Buffer[];
  positions: number[];
  /** The bytes as sent, where storing changed them (a NUL escape): what a reject shows. */
  sent: Map<number, Buffer>;
  /** md5 of each record's jsonb text: raw.api_attempts.record_hash. */
  hashes: string[];
  /** Each record's attempt key (32 hex digits, record-identity.ts), or null. */
  keys: (string | null)[];
  /** Whether each record's time is outside the requested window. */
  outside: boolean[];
  /**
   * The first record whose attempt key an earlier record of this chunk has (a copy, or another
   * version of the same attempt); -1 when none.
   */
  firstRepeat: number;
  /**
   * The record times of its records that have a key, where they are real times (key-time-spans.ts);
   * undefined when none is. The others (a time such as 2023-02-30 25:61:00) are listed in `loose`.
   */
  keyTimes: KeyTimeSpan | undefined;
  loose: number[];
  /** Bytes in records. */
  bytes: number;
}

/**
 * Chunks grow from the first size to the largest (unless the settings say otherwise), doubling: the
 * first COPY starts soon after the first bytes arrive, and later ones are few (each costs a few
 * round trips). Two chunks are in memory at a time (one copied, the next being read), and one bad
 * record costs re-sending at most one chunk.
 */
const FIRST_CHUNK_BYTES = 128 * 1024;
// Records worked through between two looks at waiting I/O (~0.5 ms).
const YIELD_EVERY = 64;
const CHUNK_BYTES = 2 * 1024 * 1024;

function emptyChunk(): AnswerChunk {
  return {
    records: [],
    positions: [],
    sent: new Map(),
    hashes: [],
    keys: [],
    outside: [],
    firstRepeat: -1,
    keyTimes: undefined,
    loose: [],
    bytes: 0,
  };
}

/**
 * Splits the answer into chunks of records. An element that is not UTF-8 or not an object goes to
 * `reject` with its position instead; `count` hears of every element, in order.
 */
export async function* answerChunks(
  body: AsyncIterable<Uint8Array>,
  window: TimeWindow,
  settings: LandingSettings,
  reject: (r: Reject) => void,
  count: () => number,
): AsyncGenerator<AnswerChunk> {
  const identifier = new RecordIdentifier(settings);
  const largest = settings.chunkBytes ?? CHUNK_BYTES;
  let chunkBytes = Math.min(FIRST_CHUNK_BYTES, largest);
  const outside = outsideWindow(window);
  let chunk = emptyChunk();
  let chunkKeys = new Set<string>();
  let sinceYield = 0;
  for await (const elements of splitJsonArray(body)) {
    for (const element of elements) {
      // Let waiting I/O in now and then (the database's answers about the chunk being copied: each
      // waits for this): awaiting a body that is already downloaded never leaves the microtask
      // queue, so without this a whole chunk would be worked through before they are read.
      if (++sinceYield === YIELD_EVERY) {
        sinceYield = 0;
        await setImmediate();
      }
      const position = count();
      if (!isUtf8(element)) {
        reject(
          rejectOf(
            position,
            element.toString("utf8"),
            "invalid_utf8",
            "the element's bytes are not valid UTF-8",
          ),
        );
        continue;
      }
      if (element[0] !== 123 /* { */) {
        reject(
          rejectOf(position, element.toString("utf8"), "not_an_object", "the element is not a JSON object"),
        );
        continue;
      }
      const record = storedBytes(element);
      // Not JSON: PostgreSQL refuses it too, so it lands nowhere; a stand-in hash.
      const identity = identifier.identify(record) ?? {
        hash: hash("md5", record, "hex"),
        key: null,
        time: undefined,
      };
      if (record !== element) chunk.sent.set(chunk.records.length, element);
      chunk.records.push(record);
      chunk.positions.push(position);
      chunk.hashes.push(identity.hash);
      chunk.keys.push(identity.key);
      chunk.outside.push(outside(identity.time));
      chunk.bytes += record.length;
      if (identity.key !== null) {
        if (!chunkKeys.has(identity.key)) chunkKeys.add(identity.key);
        else if (chunk.firstRepeat < 0) chunk.firstRepeat = chunk.records.length - 1;
        if (identity.time !== undefined && isApiTime(identity.time)) {
          chunk.keyTimes = widen(chunk.keyTimes, identity.time);
        } else {
          chunk.loose.push(chunk.records.length - 1);
        }
      }
      if (chunk.bytes >= chunkBytes) {
        yield chunk;
        chunk = emptyChunk();
        chunkKeys = new Set();
        chunkBytes = Math.min(chunkBytes * 2, largest);
      }
    }
  }
  if (chunk.records.length > 0) yield chunk;
}
