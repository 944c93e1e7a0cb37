/**
 * The seed-style client, written only to be compared against: what the task's Python reference
 * does, in TypeScript. Download the whole window (`response.json()`), parse each passback_params
 * Python literal in the client, skip what is invalid, and INSERT each row with its own
 * parameterised statement: one round trip per row, one transaction (psycopg2's default).
 *
 *   node --import tsx bench/seed-style-baseline.ts --api URL --database URL --start 2024-01-15 --end 2024-01-16
 */
import { parseArgs } from "node:util";
import pg from "pg";

export interface SeedStyleOptions {
  apiUrl: string;
  databaseUrl: string;
  start: Date;
  end: Date;
  client?: string;
  clientKey?: string;
}

export interface SeedStyleResult {
  records: number;
  inserted: number;
  skipped: number;
  downloadMs: number;
  insertMs: number;
}

export const SEED_STYLE_TABLE = "seed_style.lms_grade_statistics";

const TABLE_SQL = `
CREATE SCHEMA IF NOT EXISTS seed_style;
CREATE TABLE IF NOT EXISTS ${SEED_STYLE_TABLE} (
  user_id varchar NOT NULL,
  oauth_consumer_key varchar NOT NULL,
  lis_result_sourcedid varchar,
  lis_outcome_service_url varchar,
  is_correct int,
  attempt_type varchar NOT NULL,
  created_at timestamp NOT NULL,
  PRIMARY KEY (user_id, created_at)
)`;

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "\n": "",
};

/**
 * A small `ast.literal_eval` for what passback_params holds: a dict of strings, None, True, False
 * and integers. Throws on anything else, as literal_eval would on bad input.
 */
export function parsePythonDict(text: string): Record<string, unknown> {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw new SyntaxError(`invalid Python literal at ${i}`);
  };
  const str = (): string => {
    const q = text[i];
    i++;
    let out = "";
    while (i < text.length && text[i] !== q) {
      if (text[i] === "\\") {
        const c = text[i + 1] ?? fail();
        if (c === "x" || c === "u") {
          const n = c === "x" ? 2 : 4;
          out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 2 + n), 16));
          i += 2 + n;
        } else {
          out += ESCAPES[c] ?? `\\${c}`;
          i += 2;
        }
      } else out += text[i++];
    }
    if (i >= text.length) fail();
    i++;
    return out;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === "'" || c === '"') return str();
    for (const [word, v] of [
      ["None", null],
      ["True", true],
      ["False", false],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const m = /^-?\d+/.exec(text.slice(i, i + 40));
    if (!m) fail();
    i += (m as RegExpExecArray)[0].length;
    return Number((m as RegExpExecArray)[0]);
  };
  ws();
  if (text[i++] !== "{") fail();
  const dict: Record<string, unknown> = {};
  ws();
  if (text[i] === "}") i++;
  else {
    for (;;) {
      const key = value();
      if (typeof key !== "string") fail();
      ws();
      if (text[i++] !== ":") fail();
      dict[key as string] = value();
      ws();
      const sep = text[i++];
      if (sep === "}") break;
      if (sep !== ",") fail();
    }
  }
  ws();
  if (i !== text.length) fail();
  return dict;
}

type Row = [string, string, string | null, string | null, number | null, string, string];

/** One API record as the target row, or undefined when the reference would skip it (and log it). */
export function toRow(r: Record<string, unknown>): Row | undefined {
  try {
    if (typeof r.lti_user_id !== "string" || !r.lti_user_id) return undefined;
    if (r.attempt_type !== "run" && r.attempt_type !== "submit") return undefined;
    const created = String(r.created_at ?? "");
    if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/.test(created)) return undefined;
    if (Number.isNaN(new Date(`${created.replace(" ", "T")}Z`).getTime())) return undefined;
    const correct = r.is_correct === true ? 1 : r.is_correct === false ? 0 : r.is_correct;
    if (correct !== null && correct !== undefined && correct !== 0 && correct !== 1) return undefined;
    const p =
      typeof r.passback_params === "string" && r.passback_params ? parsePythonDict(r.passback_params) : {};
    const text = (v: unknown) => (typeof v === "string" ? v : null);
    return [
      r.lti_user_id,
      text(p.oauth_consumer_key) ?? "",
      text(p.lis_result_sourcedid),
      text(p.lis_outcome_service_url),
      (correct as number | null | undefined) ?? null,
      r.attempt_type,
      created,
    ];
  } catch {
    return undefined;
  }
}

export async function seedStyleLoad(o: SeedStyleOptions): Promise<SeedStyleResult> {
  const apiTime = (d: Date) => `${d.toISOString().slice(0, 23).replace("T", " ")}000`;
  const url = new URL(o.apiUrl);
  url.searchParams.set("client", o.client ?? "demo");
  url.searchParams.set("client_key", o.clientKey ?? "demo-key");
  url.searchParams.set("start", apiTime(o.start));
  url.searchParams.set("end", apiTime(o.end));
  const t0 = performance.now();
  const response = await fetch(url);
  if (!response.ok) throw new Error(`API answered ${response.status}`);
  const records = (await response.json()) as Record<string, unknown>[];
  const t1 = performance.now();
  const client = new pg.Client({ connectionString: o.databaseUrl });
  await client.connect();
  let inserted = 0;
  let skipped = 0;
  try {
    await client.query(TABLE_SQL);
    await client.query("BEGIN");
    for (const record of records) {
      const row = toRow(record);
      if (!row) {
        skipped++;
        continue;
      }
      const r = await client.query(
        `INSERT INTO ${SEED_STYLE_TABLE} (user_id, oauth_consumer_key, lis_result_sourcedid,
           lis_outcome_service_url, is_correct, attempt_type, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        row,
      );
      inserted += r.rowCount ?? 0;
    }
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
  return {
    records: records.length,
    inserted,
    skipped,
    downloadMs: t1 - t0,
    insertMs: performance.now() - t1,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      api: { type: "string" },
      database: { type: "string" },
      start: { type: "string" },
      end: { type: "string" },
    },
  });
  if (!values.api || !values.database || !values.start || !values.end) {
    process.stderr.write("usage: seed-style-baseline.ts --api URL --database URL --start DATE --end DATE\n");
    process.exit(2);
  }
  // UTC: a date, or a date and time with a space or T.
  const utc = (t: string) =>
    new Date(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : `${t.replace(" ", "T")}Z`);
  const result = await seedStyleLoad({
    apiUrl: values.api,
    databaseUrl: values.database,
    start: utc(values.start),
    end: utc(values.end),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
