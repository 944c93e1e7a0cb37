import { describe, expect, it } from "vitest";
import { copyTextLine } from "../../src/extract/copy-text.ts";
import { MalformedBodyError } from "../../src/extract/malformed-body-error.ts";
import { splitJsonArray } from "../../src/extract/split-json-array.ts";

async function split(chunks: (string | Uint8Array)[]): Promise<string[]> {
  const out: string[] = [];
  async function* source() {
    yield* chunks;
  }
  for await (const batch of splitJsonArray(source())) out.push(...batch);
  return out;
}

const BODY = `[
  {"a": "x,y]}", "b": {"c": [1, 2, {"d": null}]}, "e": "quote \\" and backslash \\\\"},
  {"p": "{'k': \\"it's\\"}", "u": "Привет, мир ✓"},
  "bare string with \\\\\\" tricky escapes", 12.5e3, true, null, [], {}
]`;

describe("splitJsonArray", () => {
  it("gives each element's exact text, wherever the chunks are cut", async () => {
    const whole = await split([BODY]);
    expect(whole.map((t) => JSON.parse(t))).toEqual(JSON.parse(BODY));
    const bytes = Buffer.from(BODY);
    // Every cut point, in bytes: splits inside strings, escapes and multibyte characters.
    for (let i = 1; i < bytes.length; i++) {
      expect(await split([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(whole);
    }
    // One byte at a time.
    expect(await split([...bytes].map((b) => Uint8Array.of(b)))).toEqual(whole);
  });

  it("accepts an empty array and surrounding whitespace", async () => {
    expect(await split([" \n[ ] \n"])).toEqual([]);
    expect(await split(["[", "]"])).toEqual([]);
  });

  it.each([
    ["", /empty/],
    ["   ", /empty/],
    ['{"error": "no"}', /not a JSON array/],
    ["<!DOCTYPE html><html>502</html>", /not a JSON array; body starts: <!DOCTYPE html>/],
    ['[{"a": 1}, {"b": ', /ended before the array closed \(after 1 complete elements\)/],
    ['[{"a": "unterminated', /ended before the array closed/],
    ["[1, 2", /ended before the array closed/],
    ["[1,]", /trailing comma/],
    ["[1,,2]", /empty element/],
    ["[1] x", /after the closing/],
    ["[1] [2]", /after the closing/],
    ["[1}", /unbalanced/],
  ])("rejects %j", async (body, message) => {
    const error = await split([body]).catch((e) => e);
    expect(error).toBeInstanceOf(MalformedBodyError);
    expect(error.message).toMatch(message);
  });

  it("flags the elements whose bytes are not UTF-8, and only those", async () => {
    const batches: { texts: string[]; invalid: number[] }[] = [];
    const bytes = (s: string) => Buffer.from(s, "utf8");
    // é (C3 A9) cut between two chunks is fine; C3 28 and FF are not UTF-8.
    const chunks = [
      bytes('[{"a":"caf'),
      Uint8Array.from([0xc3]),
      Buffer.concat([
        Uint8Array.from([0xa9]),
        bytes('"},{"b":"x'),
        Uint8Array.from([0xc3, 0x28, 0xff]),
        bytes('"},'),
      ]),
      bytes('{"c":"\uFFFD real"},"\uFFFD"]'),
    ];
    async function* source() {
      yield* chunks;
    }
    for await (const batch of splitJsonArray(source())) {
      batches.push({ texts: [...batch], invalid: batch.invalidUtf8 ?? [] });
    }
    expect(batches.flatMap((b) => b.texts)).toEqual([
      '{"a":"café"}',
      '{"b":"x\uFFFD(\uFFFD"}',
      '{"c":"\uFFFD real"}',
      '"\uFFFD"',
    ]);
    // Only the element with bad bytes; a real U+FFFD in a clean chunk is not flagged.
    expect(batches.map((b) => b.invalid)).toEqual([[1], []]);
  });

  it("flags a character the body never finished", async () => {
    const out: number[][] = [];
    async function* source() {
      yield Buffer.from('["ok","x', "utf8");
      yield Uint8Array.from([0xe2, 0x82]);
    }
    await expect(
      (async () => {
        for await (const batch of splitJsonArray(source())) out.push(batch.invalidUtf8 ?? []);
      })(),
    ).rejects.toThrow(/ended before the array closed/);
  });
});

describe("copyTextLine", () => {
  it("escapes what COPY text format would read as its own", () => {
    expect(copyTextLine('{"a": "x"}')).toBe('{"a": "x"}\n');
    expect(copyTextLine('{"a": "q\\"\\\\n"}')).toBe('{"a": "q\\\\"\\\\\\\\n"}\n');
    expect(copyTextLine('{\n\t"a": 1}')).toBe('{\\n\\t"a": 1}\n');
  });
});
