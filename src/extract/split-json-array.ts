import { Buffer, isUtf8 } from "node:buffer";
import { MalformedBodyError } from "./malformed-body-error.ts";

/**
 * The elements one input chunk completed, in order. `invalidUtf8` lists the indexes (into this
 * batch) of elements whose bytes were not valid UTF-8: their text holds U+FFFD where the bad bytes
 * were, and they must not land as if the API had sent that.
 */
export type ElementBatch = string[] & { invalidUtf8?: number[] };

/** How many leading bytes hold only whole UTF-8 sequences: a character cut by the chunk waits. */
function wholeUtf8Length(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = n - 1; i >= Math.max(0, n - 4); i--) {
    const b = bytes[i] as number;
    if (b < 0x80) return n;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return n - i < need ? i : n;
    }
  }
  return n;
}

/**
 * Splits a streamed top-level JSON array into the texts of its elements, without parsing them:
 * records land untouched, and PostgreSQL's jsonb input validates each element. Only the array's
 * own structure is checked here (opening bracket, commas, strings and escapes, nesting, the closing
 * bracket, nothing after it), so a cut-off body, an HTML page or an object fails the window.
 * Yields the elements completed by each input chunk, as one array per chunk.
 */
export async function* splitJsonArray(
  chunks: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<ElementBatch> {
  let carry: Uint8Array | undefined; // the start of a character cut by the previous chunk
  let tainted = false; // the current element overlaps bytes that were not UTF-8
  let phase: "before" | "array" | "after" = "before";
  let depth = 0; // nesting inside the current element
  let inString = false;
  let escaped = false; // the previous chunk ended on a backslash inside a string
  let started = false; // an element is in progress
  let expectValue = true; // after "[" or ","
  let count = 0;
  let pending = ""; // the current element's text from earlier chunks
  let seen = ""; // the first characters, for error messages

  const fail = (what: string): never => {
    const excerpt = seen.replace(/\s+/g, " ").trim().slice(0, 120);
    throw new MalformedBodyError(`${what}${excerpt ? `; body starts: ${excerpt}` : ""}`);
  };

  // One decoded piece of the body; `invalid`: its bytes were not all UTF-8 (bad ones are U+FFFD).
  function* feed(s: string, invalid: boolean): Generator<ElementBatch> {
    if (seen.length < 200) seen += s.slice(0, 200 - seen.length);
    const out: ElementBatch = [];
    if (invalid && started) tainted = true;
    const complete = (text: string) => {
      if (tainted && text.includes("\uFFFD")) {
        out.invalidUtf8 ??= [];
        out.invalidUtf8.push(out.length);
      }
      out.push(text);
      tainted = false;
    };
    const len = s.length;
    let start = started ? 0 : -1;
    let i = 0;
    while (i < len) {
      if (inString) {
        if (escaped) {
          escaped = false;
          i++;
          continue;
        }
        const q = s.indexOf('"', i);
        if (q === -1) {
          let k = len - 1;
          while (k >= i && s.charCodeAt(k) === 92) k--;
          escaped = (len - 1 - k) % 2 === 1;
          i = len;
          break;
        }
        let k = q - 1;
        while (k >= i && s.charCodeAt(k) === 92) k--;
        if ((q - 1 - k) % 2 === 0) inString = false;
        i = q + 1;
        continue;
      }
      const c = s.charCodeAt(i);
      if (phase === "array") {
        if (c === 34 /* " */) {
          if (!started) {
            if (!expectValue) fail(`a comma is missing after element ${count}`);
            started = true;
            expectValue = false;
            start = i;
            tainted = invalid;
          }
          inString = true;
        } else if (c === 123 /* { */ || c === 91 /* [ */) {
          if (!started) {
            if (!expectValue) fail(`a comma is missing after element ${count}`);
            started = true;
            expectValue = false;
            start = i;
            tainted = invalid;
          }
          depth++;
        } else if (c === 125 /* } */ || c === 93 /* ] */) {
          if (depth > 0) depth--;
          else if (c === 125) fail("unbalanced '}' in the array");
          else {
            if (started) {
              complete(pending + s.slice(start, i));
              pending = "";
              started = false;
              count++;
            } else if (expectValue && count > 0) fail("a trailing comma before ']'");
            phase = "after";
          }
        } else if (c === 44 /* , */) {
          if (depth === 0) {
            if (!started) fail(`an empty element at position ${count}`);
            complete(pending + s.slice(start, i));
            pending = "";
            started = false;
            count++;
            expectValue = true;
          }
        } else if (c !== 32 && c !== 10 && c !== 13 && c !== 9) {
          if (!started) {
            if (!expectValue) fail(`a comma is missing after element ${count}`);
            started = true;
            expectValue = false;
            start = i;
            tainted = invalid;
          }
        }
      } else if (phase === "before") {
        if (c === 91) {
          phase = "array";
          expectValue = true;
        } else if (c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 0xfeff) {
          fail("the body is not a JSON array");
        }
      } else if (c !== 32 && c !== 10 && c !== 13 && c !== 9) {
        fail("data after the closing ']'");
      }
      i++;
    }
    if (started) pending += s.slice(start === -1 ? 0 : start);
    if (out.length > 0) yield out;
  }

  for await (const chunk of chunks) {
    if (typeof chunk === "string") {
      yield* feed(chunk, false);
      continue;
    }
    const bytes = carry
      ? Buffer.concat([carry, chunk])
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const whole = wholeUtf8Length(bytes);
    carry = whole < bytes.length ? Uint8Array.from(bytes.subarray(whole)) : undefined;
    const part = bytes.subarray(0, whole);
    yield* feed(part.toString("utf8"), !isUtf8(part));
  }
  // A character the body never finished: its bytes are invalid where they stand.
  if (carry) yield* feed(Buffer.from(carry).toString("utf8"), true);
  // `feed` moves the phase on; TypeScript cannot see that from here.
  const last = phase as "before" | "array" | "after";
  if (last === "before") fail(seen.trim() ? "the body is not a JSON array" : "the body is empty");
  if (last === "array") fail(`the body ended before the array closed (after ${count} complete elements)`);
}
