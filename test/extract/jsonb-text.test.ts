import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JsonbReader, jsonbText } from "../../src/extract/jsonb-text.ts";
import { generateAttempts } from "../../src/simulator/generate-attempts.ts";
import { randomSource } from "../../src/simulator/random.ts";
import { ADMIN_URL, embeddedAdminUrl } from "../helpers/pg.ts";

const KEYS = ["a", "b", "aa", "ab", "B", "", "é", "z", "ü", "中", "😀", "\\u0061", 'q\\"t', "k\\\\", "a b"];
const STRINGS = [
  "",
  "plain",
  "it's",
  "\\n\\t\\r\\b\\f",
  '\\"quoted\\"',
  "back\\\\slash",
  "\\/slash",
  "\\u00e9t\\u00E9",
  "\\u001f\\u0001",
  "\\ud83d\\ude00",
  "ünï©ødé 中文 😀",
  "\u007f del",
  "\\u2028\\u2029",
  "{'py': None}",
];
const NUMBERS = [
  "0",
  "-0",
  "1",
  "-17",
  "1.50",
  "-0.0",
  "0.001",
  "1e2",
  "1E+2",
  "1.5e-3",
  "123e-1",
  "100e-1",
  "0.0012e2",
  "-1.5E0",
  "0e5",
  "-0e-3",
  "12345678901234567890123",
  "3.14159265358979323846264338",
  "1e00002",
  "2.5e+10",
  "7e-20",
  "0e200000",
];
const SPACE = ["", "", "", " ", "\n", "\t", " \r\n "];

function document(next: () => number, depth = 0): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const ws = () => pick(SPACE);
  const r = next();
  if (depth < 4 && r < 0.35) {
    const n = Math.floor(next() * 5);
    const members = Array.from(
      { length: n },
      () => `${ws()}"${pick(KEYS)}"${ws()}:${ws()}${document(next, depth + 1)}${ws()}`,
    );
    return `{${members.join(",") || ws()}}`;
  }
  if (depth < 4 && r < 0.5) {
    const n = Math.floor(next() * 4);
    return `[${Array.from({ length: n }, () => `${ws()}${document(next, depth + 1)}${ws()}`).join(",") || ws()}]`;
  }
  if (r < 0.75) return `"${pick(STRINGS)}"`;
  if (r < 0.93) return pick(NUMBERS);
  return pick(["true", "false", "null"]);
}

/** A document with one character dropped, doubled or replaced: mostly not JSON any more. */
function mangled(next: () => number, text: string): string {
  const at = Math.floor(next() * text.length);
  const noise = [",", "]", "}", "\\", '"', ":", "x", "1", ".", "e", "-", " "];
  const c = noise[Math.floor(next() * noise.length)] as string;
  const r = next();
  if (r < 0.33) return text.slice(0, at) + text.slice(at + 1);
  if (r < 0.66) return text.slice(0, at) + c + text.slice(at);
  return text.slice(0, at) + c + text.slice(at + 1);
}

const SERVERS = [
  ["the machine's PostgreSQL", () => ADMIN_URL],
  ["the embedded PostgreSQL", embeddedAdminUrl],
] as const;

describe.each(SERVERS)("jsonbText against %s", (_name, adminUrl) => {
  let client: pg.Client;
  /** What the server prints for each text as jsonb, or null where it refuses it. */
  const serverTexts = async (texts: string[]): Promise<(string | null)[]> => {
    const { rows } = await client.query<{ j: string | null }>(
      "SELECT pg_temp.jsonb_text(t) AS j FROM unnest($1::text[]) WITH ORDINALITY AS u (t, n) ORDER BY n",
      [texts],
    );
    return rows.map((r) => r.j);
  };

  beforeAll(async () => {
    client = new pg.Client({ connectionString: adminUrl() });
    await client.connect();
    await client.query(`CREATE FUNCTION pg_temp.jsonb_text(t text) RETURNS text LANGUAGE plpgsql AS $$
      BEGIN RETURN t::jsonb::text; EXCEPTION WHEN others THEN RETURN NULL; END $$`);
  });
  afterAll(async () => {
    await client?.end();
  });

  it("prints every document as the server prints it, and refuses only what the server refuses", async () => {
    const next = randomSource(7);
    const valid = Array.from({ length: 3000 }, () => document(next));
    // Text from an answer is always well-formed (bytes that are not UTF-8 never get here).
    const broken = valid
      .map((text) => mangled(next, text))
      .filter((text) => Buffer.from(text).toString() === text);
    const texts = [...valid, ...broken];
    const server = await serverTexts(texts);
    const mismatches = texts.flatMap((text, i) => {
      const ours = jsonbText(text);
      const theirs = server[i] ?? null;
      // Where the server refuses the text, ours does not matter: such a record never lands.
      return theirs !== null && ours !== theirs ? [{ text, ours, theirs }] : [];
    });
    expect(mismatches).toEqual([]);
    expect(server.slice(0, valid.length).filter((s) => s === null)).toEqual([]);
    // The mangled ones exercise refusals: null here is always a refusal there.
    const refusedByUs = texts.filter((t) => jsonbText(t) === null);
    expect(refusedByUs.length).toBeGreaterThan(500);
    expect((await serverTexts(refusedByUs)).filter((s) => s !== null)).toEqual([]);
  });

  it("prints the edges of numeric and of key order as the server does", async () => {
    const texts = [
      "1e131071",
      "0.5e131072",
      "0e1000000000",
      "0.00e131073",
      "1e-16383",
      '{"b":1,"aa":2,"a":3,"é":4,"z":5,"😀":6,"中":7}',
      '{"a":1,"a":2,"\\u0061":3}',
      '{"a":{"x":1,"x":[1,{"y":2,"y":3}]}}',
      '{"a":"x\\u0000y"}'.replace("\\u0000", "\\ufffd"),
      `{"deep":${"[".repeat(3000)}${"]".repeat(3000)}}`,
    ];
    const server = await serverTexts(texts);
    expect(server.every((s) => s !== null)).toBe(true);
    expect(texts.map((t) => jsonbText(t))).toEqual(server);
    // Past numeric's limits the server refuses the record; so do we.
    const beyond = ["1e131072", "10e131071", "1e-16384", "0.0e-16383", "0e2000000000", "1e1073741824"];
    expect(await serverTexts(beyond)).toEqual(beyond.map(() => null));
    expect(beyond.map((t) => jsonbText(t))).toEqual(beyond.map(() => null));
  });

  it("prints the simulator's records as the server does", async () => {
    const records = [
      ...generateAttempts({
        seed: 3,
        perDay: 2000,
        start: new Date("2024-01-15"),
        end: new Date("2024-01-16"),
      }),
    ].map((a) => JSON.stringify(a));
    expect(records.map((t) => jsonbText(t))).toEqual(await serverTexts(records));
  });
});

describe("JsonbReader", () => {
  it("reads deep nesting without the stack, and keeps the top-level members asked for", () => {
    const deep = `{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    expect(jsonbText(deep)?.length).toBe(200_007);
    const reader = new JsonbReader(["k", "t", "missing"]);
    expect(
      reader.read(Buffer.from('{"k": 1, "t": "2024-01-15 10:00:00", "n": {"k": 2}, "k": "x\\"y"}')),
    ).toBe(true);
    expect(reader.text().toString()).toBe('{"k": "x\\"y", "n": {"k": 2}, "t": "2024-01-15 10:00:00"}');
    expect(reader.member(0)?.toString()).toBe('"x\\"y"');
    expect(reader.member(1)?.toString()).toBe('"2024-01-15 10:00:00"');
    expect(reader.member(2)).toBeUndefined();
    // The next record starts afresh.
    expect(reader.read(Buffer.from('{"t": null}'))).toBe(true);
    expect([reader.member(0), reader.member(1)?.toString()]).toEqual([undefined, "null"]);
    expect(reader.read(Buffer.from('{"t": nul}'))).toBe(false);
  });
});
