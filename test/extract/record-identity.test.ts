import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecordIdentifier } from "../../src/extract/record-identity.ts";
import { keyHashSql } from "../../src/extract/record-key.ts";
import { ADMIN_URL, embeddedAdminUrl } from "../helpers/pg.ts";

const SETTINGS = { keyFields: ["lti_user_id", "created_at"], timeField: "created_at" };

// Key fields as an API might send them: strings with escapes and other scripts, numbers in every
// spelling, other JSON types, null, absent; times in the API's form, with a T, escaped, and not times.
const USERS = [
  '"u1"',
  '"\\u0075\\u0031"',
  '"ünï \\"q\\" 😀"',
  "17",
  "1.0",
  "1e2",
  "-0",
  "true",
  "null",
  '{"a": 1}',
  "[1]",
];
const TIMES = [
  '"2024-01-15 10:00:00.123456"',
  '"2024-01-15T10:00:00"',
  '"2024\\u002d01-15 10:00:00"',
  '"2023-02-30 25:61:00"',
  '"not a date"',
  "20240115",
  "null",
];

function records(): string[] {
  const out: string[] = [];
  for (const user of [...USERS, undefined]) {
    for (const time of [...TIMES, undefined]) {
      const members = [
        '"attempt_type": "submit"',
        ...(user === undefined ? [] : [`"lti_user_id": ${user}`]),
        ...(time === undefined ? [] : [`"created_at": ${time}`]),
        '"is_correct": 1',
      ];
      out.push(`{${members.join(",")}}`);
    }
  }
  // A duplicate key: jsonb keeps the last, and so must the key.
  out.push('{"lti_user_id": "first", "created_at": "2024-01-15 10:00:00", "lti_user_id": "last"}');
  return out;
}

const SERVERS = [
  ["the machine's PostgreSQL", () => ADMIN_URL],
  ["the embedded PostgreSQL", embeddedAdminUrl],
] as const;

describe.each(SERVERS)("RecordIdentifier against %s", (_name, adminUrl) => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: adminUrl() });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
  });

  it("gives each record the hash, key and time the database computes from the stored record", async () => {
    const texts = records();
    const { rows } = await client.query<{ hash: string; key: string | null; time: string | null }>(
      `SELECT md5(r::text) AS hash, replace((${keyHashSql("r", SETTINGS.keyFields, SETTINGS.timeField)})::text, '-', '') AS key,
              r ->> 'created_at' AS time
         FROM unnest($1::jsonb[]) WITH ORDINALITY AS u (r, n) ORDER BY n`,
      [texts],
    );
    const identifier = new RecordIdentifier(SETTINGS);
    const ours = texts.map((t) => {
      const id = identifier.identify(Buffer.from(t));
      return id && { hash: id.hash, key: id.key, time: id.time ?? null };
    });
    expect(ours).toEqual(rows);
    // Keys were computed for some and not others: the test covers both.
    expect(rows.filter((r) => r.key !== null).length).toBeGreaterThan(10);
    expect(rows.filter((r) => r.key === null).length).toBeGreaterThan(10);
  });
});
