import { Buffer } from "node:buffer";
import { MalformedBodyError } from "./malformed-body-error.ts";

const QUOTE = 34;
const BACKSLASH = 92;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/**
 * Splits a streamed top-level JSON array into its elements' bytes as sent, without decoding or
 * parsing them: records land untouched (landing checks each is UTF-8, PostgreSQL's jsonb input
 * validates it). Only the array's own structure is checked here (opening bracket, commas, strings
 * and escapes, nesting, the closing bracket, nothing after it), so a cut-off body, an HTML page or
 * an object fails the window. The structure is ASCII, and no byte of a multibyte UTF-8 character
 * (nor any byte that is not UTF-8) can be mistaken for it. Yields the elements completed by each
 * input chunk, as one array per chunk; an element is a view of that chunk when it lies within it.
 */
export async function* splitJsonArray(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<Buffer[]> {
  let phase: "before" | "array" | "after" = "before";
  let depth = 0; // nesting inside the current element
  let inString = false;
  let escaped = false; // the previous chunk ended on a backslash inside a string
  let started = false; // an element is in progress
  let expectValue = true; // after "[" or ","
  let count = 0;
  let pending: Buffer[] = []; // the current element's bytes from earlier chunks
  let bom = 0; // bytes of a byte order mark seen before the array
  let seen = Buffer.alloc(0); // the first bytes, for error messages

  const fail = (what: string): never => {
    const excerpt = seen.toString("utf8").replace(/\s+/g, " ").trim().slice(0, 120);
    throw new MalformedBodyError(`${what}${excerpt ? `; body starts: ${excerpt}` : ""}`);
  };

  function feed(b: Buffer): Buffer[] {
    if (seen.length < 200) seen = Buffer.concat([seen, b.subarray(0, 200 - seen.length)]);
    const out: Buffer[] = [];
    const complete = (end: number, start: number) => {
      const tail = b.subarray(start, end);
      out.push(pending.length === 0 ? tail : Buffer.concat([...pending, tail]));
      pending = [];
      started = false;
      count++;
    };
    const begin = (i: number): number => {
      if (!expectValue) fail(`a comma is missing after element ${count}`);
      started = true;
      expectValue = false;
      return i;
    };
    const len = b.length;
    let start = started ? 0 : -1;
    let i = 0;
    while (i < len) {
      if (inString) {
        if (escaped) {
          escaped = false;
          i++;
          continue;
        }
        const q = b.indexOf(QUOTE, i);
        if (q === -1) {
          let k = len - 1;
          while (k >= i && b[k] === BACKSLASH) k--;
          escaped = (len - 1 - k) % 2 === 1;
          break;
        }
        // Escaped when an odd number of backslashes stands before it.
        let k = q - 1;
        while (k >= i && b[k] === BACKSLASH) k--;
        if ((q - 1 - k) % 2 === 0) inString = false;
        i = q + 1;
        continue;
      }
      const c = b[i] as number;
      if (phase === "array") {
        if (c === QUOTE) {
          if (!started) start = begin(i);
          inString = true;
        } else if (c === 123 /* { */ || c === 91 /* [ */) {
          if (!started) start = begin(i);
          depth++;
        } else if (c === 125 /* } */ || c === 93 /* ] */) {
          if (depth > 0) depth--;
          else if (c === 125) fail("unbalanced '}' in the array");
          else {
            if (started) complete(i, start);
            else if (expectValue && count > 0) fail("a trailing comma before ']'");
            phase = "after";
          }
        } else if (c === 44 /* , */) {
          if (depth === 0) {
            if (!started) fail(`an empty element at position ${count}`);
            complete(i, start);
            expectValue = true;
          }
        } else if (!isSpace(c) && !started) {
          start = begin(i);
        }
      } else if (phase === "before") {
        if (c === 91 /* [ */ && (bom === 0 || bom === 3)) {
          phase = "array";
          expectValue = true;
        } else if (c === [0xef, 0xbb, 0xbf][bom] && bom < 3) {
          bom++; // U+FEFF, as UTF-8
        } else if (!isSpace(c) || (bom > 0 && bom < 3)) {
          fail("the body is not a JSON array");
        }
      } else if (!isSpace(c)) {
        fail("data after the closing ']'");
      }
      i++;
    }
    if (started) pending.push(b.subarray(start === -1 ? 0 : start));
    return out;
  }

  for await (const chunk of chunks) {
    const b =
      typeof chunk === "string"
        ? Buffer.from(chunk)
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out = feed(b);
    if (out.length > 0) yield out;
  }
  // `feed` moves the phase on; TypeScript cannot see that from here.
  const last = phase as "before" | "array" | "after";
  if (last === "before") {
    fail(seen.toString("utf8").trim() ? "the body is not a JSON array" : "the body is empty");
  }
  if (last === "array") fail(`the body ended before the array closed (after ${count} complete elements)`);
}
