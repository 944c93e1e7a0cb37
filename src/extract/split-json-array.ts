import { MalformedBodyError } from "./malformed-body-error.ts";

/**
 * Splits a streamed top-level JSON array into the texts of its elements, without parsing them:
 * records land untouched, and PostgreSQL's jsonb input validates each element. Only the array's
 * own structure is checked here (opening bracket, commas, strings and escapes, nesting, the closing
 * bracket, nothing after it), so a cut-off body, an HTML page or an object fails the window.
 * Yields the elements completed by each input chunk, as one array per chunk.
 */
export async function* splitJsonArray(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
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

  for await (const chunk of chunks) {
    let s: string;
    try {
      s = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    } catch {
      fail("the body is not valid UTF-8");
      return;
    }
    if (seen.length < 200) seen += s.slice(0, 200 - seen.length);
    const out: string[] = [];
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
          }
          inString = true;
        } else if (c === 123 /* { */ || c === 91 /* [ */) {
          if (!started) {
            if (!expectValue) fail(`a comma is missing after element ${count}`);
            started = true;
            expectValue = false;
            start = i;
          }
          depth++;
        } else if (c === 125 /* } */ || c === 93 /* ] */) {
          if (depth > 0) depth--;
          else if (c === 125) fail("unbalanced '}' in the array");
          else {
            if (started) {
              out.push(pending + s.slice(start, i));
              pending = "";
              started = false;
              count++;
            } else if (expectValue && count > 0) fail("a trailing comma before ']'");
            phase = "after";
          }
        } else if (c === 44 /* , */) {
          if (depth === 0) {
            if (!started) fail(`an empty element at position ${count}`);
            out.push(pending + s.slice(start, i));
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
  try {
    decoder.decode();
  } catch {
    fail("the body ends inside a UTF-8 character");
  }
  if (phase === "before") fail(seen.trim() ? "the body is not a JSON array" : "the body is empty");
  if (phase === "array") fail(`the body ended before the array closed (after ${count} complete elements)`);
}
