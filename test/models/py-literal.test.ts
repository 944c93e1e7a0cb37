import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import { createTestDatabase, embeddedAdminUrl, type TestDatabase } from "../helpers/pg.ts";
import { FLAT_EDGES, generateCases, generateFlatDicts } from "./py-literal-cases.ts";

/**
 * Property test of elt.py_literal_to_jsonb (migrations/0020_py_literal.sql, its fast paths in
 * 0120_py_literal_fast.sql) against Python's own ast.literal_eval: generated literals in many
 * spellings and broken variants of them; the oracle (py-literal-oracle.py, one python3 process)
 * reports every disagreement.
 */
const MIGRATIONS = ["0020_py_literal.sql", "0120_py_literal_fast.sql"].map((f) =>
  readFileSync(join(PACKAGE_ROOT, "migrations", f), "utf8"),
);
const ORACLE = join(import.meta.dirname, "py-literal-oracle.py");

async function parseAll(db: Database, texts: string[]): Promise<(string | null)[]> {
  const { rows } = await db.query<{ j: string | null }>(
    `SELECT elt.py_literal_to_jsonb(x)::text AS j
     FROM unnest($1::text[]) WITH ORDINALITY AS u (x, o) ORDER BY o`,
    [texts],
  );
  return rows.map((r) => r.j);
}

/** Disagreements with ast.literal_eval, as the oracle prints them. */
function disagreements(texts: string[], results: (string | null)[]): unknown[] {
  const input = texts.map((t, i) => JSON.stringify([t, results[i]])).join("\n");
  const out = execFileSync("python3", [ORACLE], { input, encoding: "utf8", maxBuffer: 64 << 20 });
  return out
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

async function install(db: Database): Promise<void> {
  await db.query("CREATE SCHEMA IF NOT EXISTS elt");
  for (const sql of MIGRATIONS) await db.query(sql);
}

/**
 * Results with a slower path made to fail (inside a transaction rolled back after): proves the
 * texts are answered before it. `elt._py_literal_other` is everything after the inlined entry
 * point's flat-dict case; `elt._py_literal_parse` is the general parser after the mixed-quote case.
 */
async function parseWithout(db: Database, fn: string, texts: string[]): Promise<(string | null)[]> {
  let out: (string | null)[] = [];
  await db
    .transaction(async (tx) => {
      await tx.query(`CREATE OR REPLACE FUNCTION ${fn}(src text) RETURNS jsonb LANGUAGE plpgsql
        IMMUTABLE STRICT AS $$BEGIN RAISE EXCEPTION 'not on the fast path: %', src; END$$`);
      const { rows } = await tx.query<{ j: string | null }>(
        `SELECT elt.py_literal_to_jsonb(x)::text AS j
         FROM unnest($1::text[]) WITH ORDINALITY AS u (x, o) ORDER BY o`,
        [texts],
      );
      out = rows.map((r) => r.j);
      throw new RolledBack();
    })
    .catch((error) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  return out;
}
class RolledBack extends Error {}

let pgdb: TestDatabase;
let pg: Database;
let embedded: TestDatabase;
let onEmbedded: Database;

beforeAll(async () => {
  pgdb = await createTestDatabase("py_literal");
  pg = await openDatabase({ url: pgdb.url, embeddedDir: "unused" });
  await install(pg);
  embedded = await createTestDatabase("py_literal", embeddedAdminUrl());
  onEmbedded = await openDatabase({ url: embedded.url, embeddedDir: "unused" });
  await install(onEmbedded);
});

afterAll(async () => {
  await pg?.close();
  await onEmbedded?.close();
  await pgdb?.drop();
  await embedded?.drop();
});

describe("elt.py_literal_to_jsonb", () => {
  it("agrees with ast.literal_eval on generated literals and their mutations (PostgreSQL)", async () => {
    const texts = generateCases(20261126, 2500, 2500);
    const results = await parseAll(pg, texts);
    expect(disagreements(texts, results)).toEqual([]);
    // The generator must exercise both outcomes, not only NULLs.
    const parsed = results.filter((r) => r !== null).length;
    expect(parsed).toBeGreaterThan(texts.length * 0.35);
    expect(parsed).toBeLessThan(texts.length * 0.8);
  });

  it("gives the same results on the embedded PostgreSQL (a smaller sample)", async () => {
    const texts = generateCases(7, 300, 300);
    const onEmbeddedResults = await parseAll(onEmbedded, texts);
    expect(disagreements(texts, onEmbeddedResults)).toEqual([]);
    expect(onEmbeddedResults).toEqual(await parseAll(pg, texts));
  });

  it("agrees with ast.literal_eval on flat dicts of strings and the fast paths' edges (both servers)", async () => {
    const texts = [...FLAT_EDGES, ...generateFlatDicts(20260515, 3000)];
    const results = await parseAll(pg, texts);
    expect(disagreements(texts, results)).toEqual([]);
    const parsed = results.filter((r) => r !== null).length;
    expect(parsed).toBeGreaterThan(texts.length * 0.5);
    expect(parsed).toBeLessThan(texts.length * 0.9);
    expect(await parseAll(onEmbedded, texts)).toEqual(results);
  });

  it("answers repr's flat dicts of single-quoted strings inline, and those with double quotes before the general parser", async () => {
    const singles = [
      "{'oauth_consumer_key': '', 'lis_result_sourcedid': 'course-v1:SkillFactory+DST-3.0:lms-b1:u1'}",
      "{'a': 'x', 'b': 'y', 'a': 'z'}",
      "{'': ''}",
      "{'a': 'b', 'c': 'd', 'e': 'f', 'g': 'h'}",
      `{'"': 'say "hi"', 'tab': 'a\tb\fc', 'x': 'café Ж 😀 \u2028\x85\x01'}`,
      "{': ': ': ', ', ': ', ', '{': '}', '%': '_'}",
    ];
    const doubles = [
      `{'oauth_consumer_key': '', 'lis_result_sourcedid': "course-v1:SkillFactory+Kid's-Code:u1"}`,
      `{"it's": "o'k", 'a': '', 'a': "x': 'y"}`,
      "{'a': 'b', 'c': 'd', 'e': 'f', 'g': 'h', 'i': 'j'}",
    ];
    for (const db of [pg, onEmbedded]) {
      const fast = await parseWithout(db, "elt._py_literal_other", singles);
      expect(disagreements(singles, fast)).toEqual([]);
      expect(fast.every((r) => r !== null)).toBe(true);
      const mixed = await parseWithout(db, "elt._py_literal_parse", doubles);
      expect(disagreements(doubles, mixed)).toEqual([]);
      expect(mixed.every((r) => r !== null)).toBe(true);
    }
  });

  it("is inlined into the calling query, so the usual shape costs no function call", async () => {
    const { rows } = await pg.query<{ "QUERY PLAN": string }>(
      "EXPLAIN (VERBOSE, COSTS OFF) SELECT elt.py_literal_to_jsonb(x) FROM unnest(ARRAY['{}']) AS u (x)",
    );
    const plan = rows.map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).not.toContain("py_literal_to_jsonb");
    expect(plan).toContain("jsonb_object(ARRAY[split_part(");
    expect(plan).toContain("elt._py_literal_other(");
  });

  it("reads passback_params as the API prints them, apostrophes included", async () => {
    const texts = [
      "{'oauth_consumer_key': '', 'lis_result_sourcedid': 'course-v1:SkillFactory+DST-3.0+28FEB2021:lms.skillfactory.ru-ca3e:3583', 'lis_outcome_service_url': 'https://lms.skillfactory.ru/x/handler_noauth/grade_handler'}",
      `{'oauth_consumer_key': '', 'lis_result_sourcedid': "course-v1:SkillFactory+Kid's-Code+2024:lms-abc:u1"}`,
      "{'a': 'it\\'s', 'b': \"say \\\"hi\\\"\", 'c': 'C:\\\\dir', 'd': 'line\\nbreak', 'e': '\\u00e9\\x41'}",
    ];
    expect((await parseAll(pg, texts)).map((t) => (t === null ? null : JSON.parse(t)))).toEqual([
      {
        oauth_consumer_key: "",
        lis_result_sourcedid: "course-v1:SkillFactory+DST-3.0+28FEB2021:lms.skillfactory.ru-ca3e:3583",
        lis_outcome_service_url: "https://lms.skillfactory.ru/x/handler_noauth/grade_handler",
      },
      { oauth_consumer_key: "", lis_result_sourcedid: "course-v1:SkillFactory+Kid's-Code+2024:lms-abc:u1" },
      { a: "it's", b: 'say "hi"', c: "C:\\dir", d: "line\nbreak", e: "éA" },
    ]);
  });

  it("returns NULL, never an error, for broken or unrepresentable text", async () => {
    const texts = [
      "",
      "{'oauth_consumer_key': '",
      "{'a': 'b'",
      "{'a', 'b'}",
      "{1: 'a'}",
      "{'a': b'x'}",
      "{'a': 1e400}",
      "{'a': 1+2j}",
      "{'a': '\\x00'}",
      "{'a': '\\ud800'}",
      "{'a': '\\N{DASH}'}",
      "not python",
      `{"a": true}`,
    ];
    expect(await parseAll(pg, texts)).toEqual(texts.map(() => null));
    expect(await parseAll(onEmbedded, texts)).toEqual(texts.map(() => null));
  });

  it("keeps Python's choices: tuples as lists, duplicate keys last wins, floats as doubles", async () => {
    const texts = [
      "(1, (2,), ())",
      "{'a': 1, 'a': 2}",
      "{'a': {1, 2}, 'a': None}",
      "0.1000000000000000000001",
      "[-1, +2.5, 0x1f, 1_000, -(3)]",
      "1e-400",
    ];
    expect(await parseAll(pg, texts)).toEqual([
      "[1, [2], []]",
      '{"a": 2}',
      '{"a": null}',
      "0.1",
      "[-1, 2.5, 31, 1000, -3]",
      "0",
    ]);
  });
});
