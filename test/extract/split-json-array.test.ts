import { isUtf8 } from "node:buffer";
import { describe, expect, it } from "vitest";
import { copyTextLine } from "../../src/extract/copy-text.ts";
import { MalformedBodyError } from "../../src/extract/malformed-body-error.ts";
import { splitJsonArray } from "../../src/extract/split-json-array.ts";

async function split(chunks: (string | Uint8Array)[]): Promise<string[]> {
  const out: string[] = [];
  async function* source() {
    yield* chunks;
  }
  for await (const batch of splitJsonArray(source())) out.push(...batch.map((b) => b.toString("utf8")));
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

  it("hands over each element's bytes as sent, UTF-8 or not, wherever the chunks are cut", async () => {
    const bytes = (s: string) => Buffer.from(s, "utf8");
    // é (C3 A9) cut between two chunks; C3 28 and FF are not UTF-8, and look like no structure.
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
    const elements: Buffer[] = [];
    for await (const batch of splitJsonArray(source())) elements.push(...batch);
    expect(elements).toEqual([
      bytes('{"a":"café"}'),
      Buffer.concat([bytes('{"b":"x'), Uint8Array.from([0xc3, 0x28, 0xff]), bytes('"}')]),
      bytes('{"c":"\uFFFD real"}'),
      bytes('"\uFFFD"'),
    ]);
    expect(elements.map((e) => isUtf8(e))).toEqual([true, false, true, true]);
  });

  it("skips a byte order mark before the array, and only there", async () => {
    expect(await split([Uint8Array.from([0xef, 0xbb]), Uint8Array.from([0xbf]), " [1]"])).toEqual(["1"]);
    await expect(split([Uint8Array.from([0xef, 0xbb]), "[1]"])).rejects.toThrow(/not a JSON array/);
    await expect(split(["[1]", Uint8Array.from([0xef, 0xbb, 0xbf])])).rejects.toThrow(/after the closing/);
  });

  it("fails a body that ends inside an element", async () => {
    async function* source() {
      yield Buffer.from('["ok","x', "utf8");
      yield Uint8Array.from([0xe2, 0x82]);
    }
    await expect(
      (async () => {
        for await (const _ of splitJsonArray(source())) {
          // drained
        }
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
