// Thousands of mutated records through the whole `elt run`: no crash, and every landed record ends
// up in the grade table or in quarantine with a reason, and every element that is not a record in
// raw.api_rejects (issues 6 and 10).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadProject } from "../../src/config/load-project.ts";
import { generateAttempts } from "../../src/simulator/generate-attempts.ts";
import { randomSource } from "../../src/simulator/random.ts";
import { planProject } from "../../src/transform/plan-project.ts";
import { runElt } from "../helpers/cli.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.ts";
import { SHIPPED_EXPORTS_LINES, SHIPPED_MODELS_YAML, tempProject } from "../helpers/project.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** JSON with object keys sorted at every level: jsonb does not keep key order. */
function canonicalJson(j: Json): string {
  if (Array.isArray(j)) return `[${j.map(canonicalJson).join(",")}]`;
  if (j !== null && typeof j === "object") {
    return `{${Object.keys(j)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(j[k] as Json)}`)
      .join(",")}}`;
  }
  return JSON.stringify(j);
}

const NASTY_TEXT: string[] = [
  "",
  " ",
  "'",
  '"',
  "\\",
  "O'Brien",
  'say "hi"',
  "Robert'); DROP TABLE grade.lms_grade_statistics; --",
  "1; SELECT pg_sleep(10)",
  "{{ref 'x'}}",
  "Студент №5 — ёлка",
  "学生 😀 👩‍💻",
  "مرحبا",
  "e\u0301\u0301",
  "\t\n\r",
  "\u2028\u2029",
  "x".repeat(100_000),
];

const NASTY_VALUES: Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e300,
  [],
  {},
  [1, "a"],
  { a: { b: null } },
  ...NASTY_TEXT,
];

const FIELDS = ["lti_user_id", "passback_params", "is_correct", "attempt_type", "created_at"];

/** One mutation of a valid record: a field dropped, added, retyped, or the passback literal broken. */
function mutate(record: Record<string, Json>, rnd: () => number): Json {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const r: Record<string, Json> = { ...record };
  const field = pick(FIELDS);
  const passback = String(record.passback_params ?? "");
  switch (Math.floor(rnd() * 9)) {
    case 0:
      delete r[field];
      break;
    case 1:
      r[pick(["extra", "lti_user_id ", "LTI_USER_ID", "__proto__"])] = pick(NASTY_VALUES);
      break;
    case 2:
      r[field] = pick(NASTY_VALUES);
      break;
    case 3: // a broken or odd literal
      r.passback_params = pick([
        passback.slice(0, Math.floor(rnd() * passback.length)),
        passback.replaceAll("'", '"'),
        passback.replace("{", "["),
        `${passback}}`,
        passback.replace(/'oauth_consumer_key': '[^']*'/, "'oauth_consumer_key': None"),
        passback.replace(/'oauth_consumer_key': '[^']*', /, ""),
        "{'oauth_consumer_key': '', 'lis_result_sourcedid': 'it\\'s', 'nested': {'a': [1, 2.5, None, True]}}",
        `{'oauth_consumer_key': '${pick(NASTY_TEXT).replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'}`,
        "None",
        "[]",
        "{}",
        "{'a': 1,}",
        "{'a' 1}",
        "{1: 2}",
        "'oauth_consumer_key'",
      ]);
      break;
    case 4:
      r.created_at = pick([
        "2026-11-10",
        "2026-11-10T10:00:00Z",
        "2026-11-10 10:00:00+03:00",
        "2026-13-01 00:00:00",
        "2026-02-30 00:00:00",
        "10:00",
        "yesterday",
        "",
        "2026-11-10 25:61:61.000000",
        "99999-01-01 00:00:00",
      ]);
      break;
    case 5:
      r.is_correct = pick([true, false, "1", "0", 2, -1, 0.5, "yes"]);
      break;
    case 6:
      r.attempt_type = pick(["RUN", "Submit", "compile", "", " run", "submit\u0000"]);
      break;
    case 7: // not an object at all
      return pick<Json>([null, 1, "record", [], [record]]);
    default:
      r.lti_user_id = pick(NASTY_TEXT);
  }
  return r;
}

let db: TestDatabase;
let server: Server;
let served: Json[];

beforeAll(async () => {
  db = await createTestDatabase("bad_records");
  const rnd = randomSource(7);
  const valid = [
    ...generateAttempts({
      seed: 3,
      perDay: 6000,
      start: new Date("2026-11-10T00:00:00Z"),
      end: new Date("2026-11-11T00:00:00Z"),
    }),
  ] as Record<string, Json>[];
  served = valid.map((r, i) => (i % 2 === 0 ? mutate(r, rnd) : r));
  const body = JSON.stringify(served);
  // The API edge only: a local server answering every request with the same mutated array.
  server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await db?.drop();
});

it("thousands of mutated records: no crash, each one in the grade table or quarantined with a reason", async () => {
  const { port } = server.address() as AddressInfo;
  const dir = tempProject({
    "project.yml": `
database: {url: "${db.url}"}
api: {url: "http://127.0.0.1:${port}/api/statistics", client: c, client_key: k, retries: 0}
${SHIPPED_MODELS_YAML}
exports:
${SHIPPED_EXPORTS_LINES}
`,
  });
  const result = await runElt(["run", "--date", "2026-11-10", "--skip-export", "--project-dir", dir], {
    timeoutMs: 120_000,
  });
  expect(result.stderr).not.toMatch(/unexpected error/);
  expect(result.code, result.stderr).toBe(0);

  const plan = planProject({ projectDir: dir, config: loadProject(dir).config });
  const staging = plan.allModels.get("stg_attempts")?.quoted;
  expect(staging).toBeDefined();
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const one = async (sql: string) => Number(Object.values((await client.query(sql)).rows[0] ?? {})[0]);
    const raw = await one("SELECT count(*) FROM raw.api_attempts");
    // Nothing lost: every distinct object served is in raw (jsonb compares keys unordered, and a NUL
    // escape lands as U+FFFD); every element that is not an object is in raw.api_rejects.
    const isObject = (j: Json) => j !== null && typeof j === "object" && !Array.isArray(j);
    const objects = new Set(
      served.filter(isObject).map((r) => canonicalJson(r).replaceAll("\\u0000", "\\ufffd")),
    );
    expect(raw).toBe(objects.size);
    const nonObjects = served.filter((j) => !isObject(j));
    expect(nonObjects.length).toBeGreaterThan(100);
    const rejects = (
      await client.query<{ reason: string; text: string; times_seen: number }>(
        "SELECT reason, text, times_seen FROM raw.api_rejects",
      )
    ).rows;
    expect(new Set(rejects.map((r) => r.reason))).toEqual(new Set(["not_an_object"]));
    expect(rejects.map((r) => r.text).sort()).toEqual(
      [...new Set(nonObjects.map((j) => JSON.stringify(j)))].sort(),
    );
    expect(rejects.reduce((n, r) => n + r.times_seen, 0)).toBe(nonObjects.length);
    expect(
      await one(`SELECT count(*) FROM raw.api_attempts r
        WHERE NOT EXISTS (SELECT 1 FROM grade.lms_grade_quarantine q WHERE q.raw_id = r.id AND q.reason <> '')
          AND NOT EXISTS (SELECT 1 FROM ${staging} s JOIN grade.lms_grade_statistics g USING (user_id, created_at)
                           WHERE s._raw_id = r.id AND s.reject_reason IS NULL)`),
    ).toBe(0);
    const quarantined = await one("SELECT count(*) FROM grade.lms_grade_quarantine");
    expect(quarantined).toBeGreaterThan(served.length * 0.3);
    const { rows } = await client.query("SELECT counts FROM elt.runs ORDER BY id DESC LIMIT 1");
    const c = rows[0].counts as Record<string, number>;
    expect(c.landed).toBe(raw);
    expect((c.loaded ?? 0) + (c.quarantined ?? 0) + (c.duplicates ?? 0)).toBe(raw);
    // One run into an empty database: its counts are what the tables hold.
    expect(c.quarantined).toBe(quarantined);
    expect(c.loaded).toBe(await one("SELECT count(*) FROM grade.lms_grade_statistics"));
    // The SQL-looking text stayed text.
    expect(await one("SELECT count(*) FROM grade.lms_grade_statistics")).toBeGreaterThan(served.length * 0.4);
  } finally {
    await client.end();
  }
}, 180_000);
