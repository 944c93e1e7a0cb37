import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { type Landed, landWindow } from "../../src/extract/land-window.ts";
import type { LandingSettings } from "../../src/extract/landing-settings.ts";
import { finishLoad, startLoad, type TimeWindow } from "../../src/extract/load-ledger.ts";
import { keyHashSql } from "../../src/extract/record-key.ts";
import { configureLogging } from "../../src/log/logger.ts";
import { ADMIN_URL, createTestDatabase, embeddedAdminUrl, type TestDatabase } from "../helpers/pg.ts";
import { canonical } from "./helpers.ts";

/**
 * The fast path (records COPYed straight into raw) and the duplicate path (through the temporary
 * table) must land an answer exactly as the duplicate path alone always did. Each answer below is
 * landed for real and compared with a model of those rules: raw's rows in insertion order, each
 * attempt's versions in seq order, the conflicts, and the ledger's counts; and which path each
 * answer took is checked too. Tiny chunks make the switch from one path to the other happen in the
 * middle of answers.
 */

type Rec = {
  lti_user_id?: string | null;
  created_at: string;
  attempt_type: string;
  is_correct: boolean | null;
};
/** An element of an answer: a record, or bytes sent as they are (a bad element). */
type Element = Rec | { raw: Buffer; reason: "not_an_object" | "invalid_utf8" | "unstorable" };

const KEY = ["lti_user_id", "created_at"];
const day = (n: number) => new Date(Date.UTC(2024, 2, n));
const W1: TimeWindow = { start: day(1), end: day(2) };

const at = (user: string, created_at: string, extra: Partial<Rec> = {}): Rec => ({
  lti_user_id: user,
  created_at,
  attempt_type: "submit",
  is_correct: true,
  ...extra,
});
const rec = (user: string | null, minute: number, extra: Partial<Rec> = {}): Rec => ({
  ...(user === null ? {} : { lti_user_id: user }),
  created_at: `2024-03-01 ${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}:00.123456`,
  attempt_type: "submit",
  is_correct: true,
  ...extra,
});
const batch = (from: number, n: number, user = "u") =>
  Array.from({ length: n }, (_, i) => rec(`${user}${from + i}`, from + i));
const raw = (text: string | Buffer, reason: "not_an_object" | "invalid_utf8" | "unstorable") => ({
  raw: Buffer.isBuffer(text) ? text : Buffer.from(text),
  reason,
});

function body(elements: Element[]): AsyncIterable<Uint8Array> {
  const parts = elements.map((e) => ("raw" in e ? e.raw : Buffer.from(JSON.stringify(e))));
  const bytes = Buffer.concat([
    Buffer.from("["),
    ...parts.flatMap((p, i) => (i ? [Buffer.from(","), p] : [p])),
    Buffer.from("]"),
  ]);
  return (async function* () {
    // Cut where it falls, as a download would.
    for (let i = 0; i < bytes.length; i += 97) yield bytes.subarray(i, i + 97);
  })();
}

/** The landing rules, as the duplicate path has always applied them. */
class Model {
  /** raw's rows in insertion (id) order. */
  rows: { record: string; key: string | null; seq: number }[] = [];
  conflicts: [string, string][] = [];
  private seq = 0;

  private latest(key: string) {
    let best: (typeof this.rows)[number] | undefined;
    for (const r of this.rows) if (r.key === key && (!best || r.seq > best.seq)) best = r;
    return best;
  }

  land(elements: Element[]) {
    const stored = elements.filter((e): e is Rec => !("raw" in e) && e.lti_user_id !== undefined);
    const keyless = elements.filter((e): e is Rec => !("raw" in e) && e.lti_user_id === undefined);
    const all = elements.filter((e): e is Rec => !("raw" in e));
    const keyOf = (r: Rec) => (r.lti_user_id == null ? null : `${r.lti_user_id}|${r.created_at}`);
    const seqBefore = this.seq;
    const conflictsBefore = this.conflicts.length;
    const prior = new Map<string, string | undefined>();
    for (const r of stored) {
      const k = keyOf(r);
      if (k !== null && !prior.has(k)) prior.set(k, this.latest(k)?.record);
    }
    let inserted = 0;
    for (const r of all) {
      const c = canonical(r);
      if (this.rows.some((row) => row.record === c)) continue;
      this.rows.push({ record: c, key: keyOf(r), seq: ++this.seq });
      inserted++;
    }
    const last = new Map<string, string>();
    const versions = new Map<string, Set<string>>();
    for (const r of stored) {
      const k = keyOf(r);
      if (k === null) continue;
      const c = canonical(r);
      const before = last.get(k) ?? prior.get(k);
      if (before !== undefined && before !== c) this.conflicts.push([before, c]);
      last.set(k, c);
      versions.set(k, (versions.get(k) ?? new Set()).add(c));
    }
    let resent = 0;
    for (const [k, c] of last) {
      if (prior.get(k) === undefined && (versions.get(k)?.size ?? 0) < 2) continue;
      if (this.latest(k)?.record === c) continue;
      const row = this.rows.find((r) => r.record === c) as (typeof this.rows)[number];
      if (row.seq <= seqBefore) resent++;
      row.seq = ++this.seq;
    }
    const rejected = elements.length - all.length;
    return {
      records: elements.length,
      inserted,
      duplicates: stored.length + keyless.length - inserted - resent,
      resent,
      rejected,
      non_objects: elements.filter((e) => "raw" in e && e.reason === "not_an_object").length,
      conflicts: this.conflicts.length - conflictsBefore,
    };
  }

  /** Each attempt's versions, oldest sending first. */
  versions(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const r of [...this.rows].sort((a, b) => a.seq - b.seq)) {
      if (r.key) out[r.key] = [...(out[r.key] ?? []), r.record];
    }
    return out;
  }
}

const SERVERS = [
  ["the machine's PostgreSQL", () => ADMIN_URL],
  ["the embedded PostgreSQL", embeddedAdminUrl],
] as const;

describe.each(SERVERS)("landing paths on %s", (_server, adminUrl) => {
  let pgdb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    configureLogging({ level: "silent" });
    pgdb = await createTestDatabase("landing_paths", adminUrl());
    db = await openDatabase({ url: pgdb.url, embeddedDir: "unused" });
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    await pgdb?.drop();
  });

  /** Lands one answer as extract does (ledger row, landing, ledger counts in the same transaction). */
  async function land(elements: Element[], settings: LandingSettings, window = W1): Promise<Landed> {
    const loadId = await startLoad(db, window, { forced: true, mode: "backfill" });
    return landWindow(db, loadId, window, body(elements), settings, (tx, l) =>
      finishLoad(tx, loadId, {
        ...l,
        status: "landed",
        httpStatus: 200,
        expected: undefined,
        suspect: undefined,
        accepted: false,
        bytes: 0,
        ms: 0,
        attempts: 1,
      }),
    );
  }

  async function rawState() {
    const { rows } = await db.query<{ record: unknown; key: string | null; seq: number }>(
      "SELECT record, record ->> 'lti_user_id' || '|' || (record ->> 'created_at') AS key, seq FROM raw.api_attempts ORDER BY id",
    );
    const versions: Record<string, string[]> = {};
    for (const r of [...rows].sort((a, b) => Number(a.seq) - Number(b.seq))) {
      if (r.key) versions[r.key] = [...(versions[r.key] ?? []), canonical(r.record)];
    }
    const conflicts = await db.query<{ old: unknown; new: unknown }>(
      `SELECT o.record AS old, n.record AS new FROM raw.api_conflicts AS c
         JOIN raw.api_attempts AS o ON o.id = c.old_raw_id JOIN raw.api_attempts AS n ON n.id = c.new_raw_id ORDER BY c.id`,
    );
    // What Node computed is what the database computes from the stored record.
    const computed = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM raw.api_attempts
        WHERE record_hash <> md5(record::text) OR key_hash IS DISTINCT FROM ${keyHashSql("record", KEY, "created_at")}`,
    );
    return {
      inserted: rows.map((r) => canonical(r.record)),
      versions,
      conflicts: conflicts.rows.map((c) => [canonical(c.old), canonical(c.new)]),
      miscomputed: computed.rows[0]?.n,
    };
  }

  async function ledger(loadId: number) {
    const { rows } = await db.query(
      `SELECT records::int, inserted::int, duplicates::int, resent::int, rejected::int, non_objects::int, conflicts::int
         FROM elt.loads WHERE id = $1`,
      [loadId],
    );
    return rows[0];
  }

  it.each([
    ["chunks of a few records", 300],
    ["one chunk per answer", undefined],
  ])("lands every kind of answer as the rules say, through both paths (%s)", async (_name, chunkBytes) => {
    await db.query(
      "TRUNCATE raw.api_attempts, raw.api_conflicts, raw.api_rejects, elt.loads RESTART IDENTITY",
    );
    const settings: LandingSettings = { keyFields: KEY, timeField: "created_at", chunkBytes };
    const model = new Model();
    const first = batch(0, 30);
    const x = (correct: boolean) => rec("x", 500, { is_correct: correct });
    const day2 = (n: number) =>
      Array.from({ length: n }, (_, i) => at(`v${i}`, `2024-03-02 0${i % 10}:00:00`));
    const day3 = (n: number) =>
      Array.from({ length: n }, (_, i) => at(`w${i}`, `2024-03-03 0${i % 10}:00:00`));
    const answers: {
      name: string;
      elements: Element[];
      path: "fast" | "duplicate" | "both";
      window?: TimeWindow;
    }[] = [
      { name: "a first window", elements: first, path: "fast" },
      { name: "the same window again", elements: first, path: "duplicate" },
      // New records first, then what overlaps the first answer: the duplicate path takes over at the
      // first landed one.
      {
        name: "an overlap at the end",
        elements: [...batch(100, 12), ...first.slice(20)],
        path: "both",
      },
      {
        name: "an overlap at the start",
        elements: [...first.slice(0, 5), ...batch(200, 10)],
        // Resolved before the next chunk, which goes straight in again.
        path: chunkBytes ? "both" : "duplicate",
      },
      // Landed records in two places among new ones: the answer goes in by stretches, each resolved
      // before the next goes straight in.
      {
        name: "overlaps in the middle, twice",
        elements: [
          ...batch(700, 6),
          ...first.slice(10, 13),
          ...batch(710, 6),
          ...first.slice(13, 16),
          ...batch(720, 6),
        ],
        path: "both",
      },
      // A, B, A of one attempt, far apart: the first A goes straight in, B and the second A do not.
      {
        name: "versions A, B, A of one attempt",
        elements: [x(true), ...batch(300, 8), x(false), ...batch(310, 8), x(true)],
        path: "both",
      },
      { name: "an older version re-sent", elements: [x(false)], path: "duplicate" },
      {
        name: "one record twice in a row",
        elements: [...batch(400, 3), rec("d", 450), rec("d", 450)],
        path: "both",
      },
      {
        name: "a keyless record twice",
        elements: [rec(null, 460), rec(null, 460), ...batch(470, 3)],
        path: chunkBytes ? "both" : "duplicate",
      },
      {
        name: "bad elements in the middle",
        elements: [
          ...batch(600, 4),
          raw('"a string"', "not_an_object"),
          raw(
            '{"lti_user_id":"bad\\ud800","created_at":"2024-03-01 10:00:00","attempt_type":"run","is_correct":null}',
            "unstorable",
          ),
          raw(
            Buffer.concat([Buffer.from('{"lti_user_id":"b'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
            "invalid_utf8",
          ),
          raw(`{"a":${"[".repeat(20_000)}${"]".repeat(20_000)}}`, "unstorable"),
          ...batch(610, 4),
        ],
        path: "fast",
      },
      // The next day's answer, one of its records (outside its window) a new version of an attempt
      // of the first day: the first day's load reaches its time, so its key is looked up.
      {
        name: "a new version of another day's attempt",
        elements: [...day2(6), { ...first[3], is_correct: false } as Rec, ...day2(12).slice(6)],
        path: "both",
        window: { start: day(2), end: day(3) },
      },
      // An attempt whose time is no real time still has a key, and a load's span holds its text.
      {
        name: "an attempt with an unreadable time",
        elements: [...day3(4), at("q", "2024-02-30 10:00:00")],
        path: "fast",
        window: { start: day(3), end: day(4) },
      },
      {
        name: "a new version of it, another day",
        elements: [at("q", "2024-02-30 10:00:00", { is_correct: false })],
        path: "duplicate",
        window: { start: day(4), end: day(5) },
      },
    ];
    for (const answer of answers) {
      const expected = model.land(answer.elements);
      const landed = await land(answer.elements, settings, answer.window);
      const loadId = Number(
        (await db.query<{ id: string }>("SELECT max(id) AS id FROM elt.loads")).rows[0]?.id,
      );
      expect(await ledger(loadId), answer.name).toEqual(expected);
      const stored = answer.elements.filter((e) => !("raw" in e)).length;
      const viaDuplicatePath = { fast: 0, duplicate: stored, both: landed.viaDuplicatePath }[answer.path];
      expect(landed.viaDuplicatePath, answer.name).toBe(viaDuplicatePath);
      if (answer.path === "both") {
        expect(landed.viaDuplicatePath, answer.name).toBeGreaterThan(0);
        expect(landed.viaDuplicatePath, answer.name).toBeLessThan(stored);
      }
      const state = await rawState();
      expect(state.inserted, answer.name).toEqual(model.rows.map((r) => r.record));
      expect(state.versions, answer.name).toEqual(model.versions());
      expect(state.conflicts, answer.name).toEqual(model.conflicts);
      expect(state.miscomputed, answer.name).toBe(0);
    }
    const rejects = await db.query<{ position: number; reason: string }>(
      "SELECT position::int, reason FROM raw.api_rejects ORDER BY position",
    );
    expect(rejects.rows).toEqual([
      { position: 4, reason: "not_an_object" },
      { position: 5, reason: "unstorable" },
      { position: 6, reason: "invalid_utf8" },
      { position: 7, reason: "unstorable" },
    ]);
  });

  it("counts the records outside the window as the models read their times", async () => {
    const settings: LandingSettings = { keyFields: KEY, timeField: "created_at", chunkBytes: 200 };
    const at = (user: string, t: string) => ({ ...rec(user, 0), created_at: t });
    const elements = [
      at("o1", "2024-03-09 23:59:59.999999"), // before: outside
      at("o2", "2024-03-10 00:00:00"), // the start: inside
      at("o3", "2024-03-10T12:00:00.5"), // a T, inside
      at("o4", "2024-03-11 00:00:00"), // the end: outside
      at("o5", "2024-03-11T00:00:00.000001"), // after, with a T: outside
      at("o6", "2024-02-30 10:00:00"), // not a day: unreadable, not outside
      at("o7", "yesterday"), // unreadable
      { ...rec("o8", 0), created_at: null as unknown as string }, // no time
    ];
    const landed = await land(elements, settings, { start: day(10), end: day(11) });
    expect(landed).toMatchObject({ outside: 3, inserted: 8, viaDuplicatePath: 0 });
    // The same count the database gives with elt.parse_api_timestamp, the models' reading.
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM raw.api_attempts
        WHERE record ->> 'lti_user_id' LIKE 'o%'
          AND (elt.parse_api_timestamp(record ->> 'created_at') < '2024-03-10' OR elt.parse_api_timestamp(record ->> 'created_at') >= '2024-03-11')`,
    );
    expect(rows[0]?.n).toBe(3);
  });
});
