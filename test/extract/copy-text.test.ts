import { describe, expect, it } from "vitest";
import { copyTextLine } from "../../src/extract/copy-text.ts";

describe("copyTextLine", () => {
  it("escapes what COPY text format reads specially", () => {
    expect(copyTextLine(String.raw`{"a":"x\"y\\z"}`)).toBe(`${String.raw`{"a":"x\\"y\\\\z"}`}\n`);
    expect(copyTextLine('{\n\t"a": 1}')).toBe(`${String.raw`{\n\t"a": 1}`}\n`);
  });

  it("turns a NUL escape (which jsonb cannot hold) into U+FFFD, and only a real one", () => {
    const landed = (json: string) => JSON.parse(copyTextLine(json).slice(0, -1).replace(/\\\\/g, "\\"));
    expect(landed(String.raw`{"t":"submit\u0000"}`)).toEqual({ t: "submit\ufffd" });
    expect(landed(String.raw`{"t":"\u0000\u0000"}`)).toEqual({ t: "\ufffd\ufffd" });
    expect(landed(String.raw`{"t":"a\\u0000b"}`)).toEqual({ t: "a\\u0000b" });
    expect(landed(String.raw`{"t":"\\\u0000"}`)).toEqual({ t: "\\\ufffd" });
  });
});
