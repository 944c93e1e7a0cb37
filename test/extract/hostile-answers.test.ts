import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { type ExtractOptions, extract } from "../../src/extract/extract.ts";
import { ExtractFailedError } from "../../src/extract/extract-failed-error.ts";
import { isWindowLanded } from "../../src/extract/load-ledger.ts";
import { configureLogging } from "../../src/log/logger.ts";
import { formatStatus } from "../../src/pipeline/format-status.ts";
import { pipelineStatus } from "../../src/pipeline/pipeline-status.ts";
import { generateAttempts } from "../../src/simulator/generate-attempts.ts";
import { flipPicks, type Simulator, startSimulator } from "../../src/simulator/start-simulator.ts";
import { cloneDatabase, createTestDatabase, type TestDatabase } from "../helpers/pg.ts";
import { canonical, loads, testConfig } from "./helpers.ts";

// Eight plausible days of history give every test a usual volume to judge answers by.
const PER_DAY = 400;
const SEED = 11;
const DAY_MS = 86_400_000;
const day = (n: number) => new Date(Date.UTC(2024, 2, n));
const D9 = { start: day(9), end: day(10) };

let template: TestDatabase;
let sim: Simulator;
let pgdb: TestDatabase;
let db: Database;

const cloneTemplate = () => cloneDatabase(template, "hostile");

const config = (overrides: { api?: object; extract?: object } = {}) =>
  testConfig(sim.url, { api: { retries: 0, ...overrides.api }, extract: overrides.extract });

/** The records the simulator serves for a window, as canonical JSON (what raw must hold). */
function served(window: { start: Date; end: Date }): string[] {
  return [...generateAttempts({ seed: SEED, perDay: PER_DAY, ...window })].map(canonical).sort();
}

/** The latest version of each record landed for the window (raw keeps every version sent). */
async function rawFor(window: { start: Date; end: Date }): Promise<string[]> {
  const { rows } = await db.query<{ record: unknown }>(
    `SELECT record FROM raw.api_attempts
      WHERE window_start >= $1::timestamptz AND window_end <= $2::timestamptz ORDER BY id`,
    [window.start.toISOString(), window.end.toISOString()],
  );
  return rows.map((r) => canonical(r.record)).sort();
}

const incremental = (now: Date, extra: Partial<ExtractOptions> = {}, cfg = config()) =>
  extract({ db, config: cfg }, { now, ...extra });

beforeAll(async () => {
  configureLogging({ level: "silent" });
  sim = await startSimulator({ seed: SEED, perDay: PER_DAY });
  template = await createTestDatabase("hostile_tmpl");
  const tdb = await openDatabase({ url: template.url, embeddedDir: "unused" });
  try {
    await migrate(tdb);
    // Retried like production: only the tests below want single attempts.
    await extract(
      { db: tdb, config: config({ api: { retries: 3 } }) },
      { start: day(1), end: day(9), now: day(20) },
    );
  } finally {
    await tdb.close();
  }
});
afterAll(async () => {
  await sim?.close();
  await template?.drop();
});
beforeEach(async () => {
  sim.setFaults([]);
  pgdb = await cloneTemplate();
  db = await openDatabase({ url: pgdb.url, embeddedDir: "unused" });
});
afterEach(async () => {
  await db?.close();
  await pgdb?.drop();
});

describe("answers that are not plausible", () => {
  it.each([
    ["empty", /^0 records for 24 h, usually about [\d,]+ \(below 60%\)$/],
    ["junk", /^3 of 3 elements are not JSON objects$/],
    ["half", /^[\d,]+ records for 24 h, usually about [\d,]+ \(below 60%\)$/],
  ])(
    "a %s answer lands as suspect, and the next incremental extract fetches it again",
    async (fault, reason) => {
      sim.setFaults([{ kind: fault as "empty", times: 1 }]);
      const first = await extract({ db, config: config() }, { ...D9, now: day(20) });
      expect(first).toMatchObject({ suspectWindows: 1, landedWindows: 0 });
      expect((await loads(db)).at(-1)).toMatchObject({ status: "suspect" });
      const { rows } = await db.query<{ suspect: string; expected: number; non_objects: number }>(
        "SELECT suspect, expected, non_objects FROM elt.loads ORDER BY id DESC LIMIT 1",
      );
      expect(rows[0]?.suspect).toMatch(reason);
      if (fault !== "junk") expect(Number(rows[0]?.expected)).toBeGreaterThan(PER_DAY * 0.7);
      expect(await isWindowLanded(db, D9)).toBe(false);
      if (fault === "junk") {
        const rejects = await db.query<{ reason: string; text: string }>(
          "SELECT reason, text FROM raw.api_rejects ORDER BY position",
        );
        expect(rejects.rows).toEqual(["1", "2", "3"].map((text) => ({ reason: "not_an_object", text })));
      }

      // The nightly run, a day later: the suspect window first, by its own bounds.
      const before = sim.requests;
      const next = await incremental(new Date(day(10).getTime() + 3_600_000));
      expect(next.repairWindows).toBe(1);
      expect(next.suspectWindows).toBe(0);
      expect(sim.requests - before).toBe(next.windows);
      expect(await isWindowLanded(db, D9)).toBe(true);
      expect(await rawFor(D9)).toEqual(served(D9));
    },
  );

  it("gives up after max_fetches suspect answers, fails loudly once, and is settled by --accept-incomplete", async () => {
    sim.setFaults([{ kind: "empty" }]);
    const cfg = config({ extract: { plausibility: { max_fetches: 3 } } });
    await extract({ db, config: cfg }, { ...D9, now: day(20) });
    const night = (n: number) => new Date(day(10).getTime() + n * 3_600_000);
    // Only the repairs matter here: the nightly windows after D9 are empty too (and short).
    expect((await incremental(night(1), {}, cfg)).suspectWindows).toBe(1);
    const error = await incremental(night(2), {}, cfg).catch((e) => e);
    expect(error).toBeInstanceOf(ExtractFailedError);
    expect(error).toMatchObject({ code: "EXTRACT_INCOMPLETE", exitCode: 1 });
    expect(error.message).toMatch(
      /1 window still incomplete after 3 answers, no longer fetched by itself: \[2024-03-09 00:00, 2024-03-10 00:00\) \(0 records/,
    );
    expect(error.hint).toMatch(/--accept-incomplete/);
    // Later runs leave it alone but still say so.
    const later = await incremental(night(3), {}, cfg);
    expect(later.repairWindows).toBe(0);
    expect(later.givenUp.map((g) => g.window)).toEqual([D9]);
    expect((await loads(db)).filter((l) => l.status === "suspect")).toHaveLength(3);
    // `elt status` says what is open and what to do.
    const status = formatStatus(await pipelineStatus(db, 10, { maxFetches: 3 }));
    expect(status).toMatch(
      /incomplete window 2024-03-09 00:00:00 → 2024-03-10 00:00:00: 0 records for 24 h, usually about [\d,]+ \(below 60%\); 3 suspect answers, given up: fetch it with `elt run --start … --end …` or accept it with --accept-incomplete/,
    );

    // An operator who knows the day was really that quiet.
    const accepted = await extract({ db, config: cfg }, { ...D9, now: day(20), acceptIncomplete: true });
    expect(accepted).toMatchObject({ landedWindows: 1, suspectWindows: 0, givenUp: [] });
    const { rows } = await db.query<{ status: string; accepted: boolean; suspect: string }>(
      "SELECT status, accepted, suspect FROM elt.loads ORDER BY id DESC LIMIT 1",
    );
    expect(rows[0]).toMatchObject({ status: "landed", accepted: true });
    expect(rows[0]?.suspect).toMatch(/^0 records/);
    expect(await isWindowLanded(db, D9)).toBe(true);
  });

  it("a failed window whose later answers are suspect is repaired by its bounds, then given up: never a gap that blocks the nights after", async () => {
    const cfg = config({ extract: { plausibility: { max_fetches: 2 } } });
    const at = (d: number, h: number) => new Date(day(d).getTime() + h * 3_600_000);
    // Night 1 (after the history): the day's window fails for good.
    sim.setFaults([{ kind: "status", status: 500, times: 1 }]);
    await incremental(at(9, 23.5), {}, cfg).catch((e) => expect(e).toBeInstanceOf(ExtractFailedError));
    // From now on the API answers every request with an empty array.
    sim.setFaults([{ kind: "empty" }]);
    const night2 = await incremental(at(10, 23.5), {}, cfg); // the gap again: suspect 1
    expect(night2.suspectWindows).toBeGreaterThan(0);
    const night3 = await incremental(at(11, 23.5), {}, cfg).catch((e) => e);
    expect(night3).toBeInstanceOf(ExtractFailedError); // suspect 2 of 2: given up, loudly
    expect(night3.code).toBe("EXTRACT_INCOMPLETE");
    const failed = (await loads(db)).find((l) => l.status === "failed");
    expect(failed).toBeDefined();
    const sameBounds = async () =>
      (await loads(db)).filter(
        (l) =>
          l.window_start.getTime() === failed?.window_start.getTime() &&
          l.window_end.getTime() === failed?.window_end.getTime(),
      ).length;
    expect(await sameBounds()).toBe(3); // failed once, then suspect twice (the limit)
    const night4 = await incremental(at(12, 23.5), {}, cfg).catch((e) => e);
    // The given-up window is neither a gap to restart from nor a repair: night 4 leaves it alone,
    // and goes on with its own windows (a wrong gap would have moved its start back to day 9).
    expect(await sameBounds()).toBe(3);
    const own = night4 instanceof ExtractFailedError ? night4.result : night4;
    expect(own.start.getTime()).toBeGreaterThan(at(11, 0).getTime());
    expect(own.notAttemptedWindows).toBe(0);
  });

  it("counts records outside the requested window, lands them, and stays plausible", async () => {
    sim.setFaults([{ kind: "outside", count: 5, times: 1 }]);
    const result = await extract({ db, config: config() }, { ...D9, now: day(20) });
    expect(result).toMatchObject({ landedWindows: 1, outside: 5 });
    const next = served({ start: day(10), end: new Date(day(10).getTime() + DAY_MS) });
    const landed = await db.query<{ record: unknown }>(
      "SELECT record FROM raw.api_attempts WHERE window_start = $1",
      ["2024-03-09 00:00:00"],
    );
    const records = landed.rows.map((r) => canonical(r.record));
    expect(records).toHaveLength(served(D9).length + 5);
    expect(records.filter((r) => next.includes(r))).toHaveLength(5);
    expect(result.notable[0]).toMatchObject({ outside: 5, status: "landed" });
  });
});

describe("one bad record never blocks a window", () => {
  it.each([
    ["surrogate", "unstorable", "22P02", /Unicode low surrogate must follow a high surrogate|surrogate/],
    ["deep", "unstorable", "54001", /stack depth limit exceeded/],
    ["badbytes", "invalid_utf8", null, /not valid UTF-8/],
  ])(
    "%s: the element goes to raw.api_rejects with its position and error; the rest lands",
    async (fault, reason, sqlstate, error) => {
      sim.setFaults([{ kind: fault as "deep", times: 1 }]);
      const result = await extract({ db, config: config() }, { ...D9, now: day(20) });
      const n = served(D9).length;
      expect(result).toMatchObject({ landedWindows: 1, records: n + 1, inserted: n, rejected: 1 });
      expect(await rawFor(D9)).toEqual(served(D9));
      const { rows } = await db.query<{
        position: number;
        reason: string;
        sqlstate: string | null;
        error: string;
        text: string;
        text_length: number;
        load_id: number;
      }>("SELECT position, reason, sqlstate, error, text, text_length, load_id FROM raw.api_rejects");
      expect(rows).toHaveLength(1);
      const r = rows[0];
      expect(r).toMatchObject({ position: Math.floor(n / 2), reason, sqlstate });
      expect(r?.error).toMatch(error);
      expect(r?.text.length).toBeLessThanOrEqual(10_000);
      if (fault === "deep") expect(Number(r?.text_length)).toBe(200_006);
      expect(result.notable[0]?.rejects[0]).toMatchObject({ position: Math.floor(n / 2), reason });
      expect(formatStatus(await pipelineStatus(db, 10))).toMatch(
        /load \d+ 2024-03-09 00:00:00 → 2024-03-10 00:00:00 \(landed\): 1 rejected/,
      );

      // Sent again: still one row, seen twice; nothing else changes.
      sim.setFaults([{ kind: fault as "deep", times: 1 }]);
      await extract({ db, config: config() }, { ...D9, now: day(20), force: true });
      const again = await db.query<{ times_seen: number }>("SELECT times_seen FROM raw.api_rejects");
      expect(again.rows).toEqual([{ times_seen: 2 }]);
      expect(await rawFor(D9)).toEqual(served(D9));
    },
  );
});

describe("deadlines", () => {
  const stuck = async () => {
    // Neither an open landing transaction nor the landing lock outlives the failed attempt.
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
    );
    const lock = await db.query<{ ok: boolean }>(
      "SELECT pg_try_advisory_xact_lock(hashtextextended('landing', 0)) AS ok",
    );
    return { transactions: rows[0]?.n, lockFree: lock.rows[0]?.ok };
  };

  it("a body that stalls past idle_timeout_seconds fails the attempt and rolls its landing back", async () => {
    sim.setFaults([{ kind: "trickle", ms: 2500 }]);
    const t0 = Date.now();
    const error = await extract(
      { db, config: config({ api: { idle_timeout_seconds: 1, deadline_seconds: 60 } }) },
      { ...D9, now: day(20) },
    ).catch((e) => e);
    expect(error).toBeInstanceOf(ExtractFailedError);
    expect(error.message).toMatch(/the body stalled for 1 s \(api.idle_timeout_seconds\) after \d+ bytes/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await stuck()).toEqual({ transactions: 0, lockFree: true });
    expect(await rawFor(D9)).toEqual([]);
  });

  it("a server that trickles forever hits deadline_seconds, retried, then the window fails", async () => {
    sim.setFaults([{ kind: "trickle", ms: 5 }]);
    const t0 = Date.now();
    const error = await extract(
      { db, config: config({ api: { idle_timeout_seconds: 1, deadline_seconds: 1, retries: 1 } }) },
      { ...D9, now: day(20) },
    ).catch((e) => e);
    expect(error).toBeInstanceOf(ExtractFailedError);
    expect(error.message).toMatch(/not complete within the attempt's deadline of 1 s/);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect((await loads(db)).at(-1)).toMatchObject({ status: "failed", attempts: 2 });
    expect(await stuck()).toEqual({ transactions: 0, lockFree: true });

    // A plain rerun once the server behaves lands it.
    sim.setFaults([]);
    await extract({ db, config: config() }, { ...D9, now: day(20) });
    expect(await rawFor(D9)).toEqual(served(D9));
  });
});

describe("the latest sending wins", () => {
  const submitsFlipped = () =>
    [...generateAttempts({ seed: SEED, perDay: PER_DAY, ...D9 })].filter(
      (r) => flipPicks(r, 20) && typeof r.lti_user_id === "string" && typeof r.created_at === "string",
    );

  /** Each attempt's winning version (highest seq) for the window. */
  async function winners(): Promise<string[]> {
    const { rows } = await db.query<{ record: unknown }>(
      `SELECT DISTINCT ON (key_hash) record FROM raw.api_attempts
        WHERE window_start = '2024-03-09 00:00:00' AND key_hash IS NOT NULL ORDER BY key_hash, seq DESC`,
    );
    return rows.map((r) => canonical(r.record)).sort();
  }
  const servedWithKey = () =>
    [...generateAttempts({ seed: SEED, perDay: PER_DAY, ...D9 })]
      .filter((r) => r.lti_user_id != null && r.created_at != null)
      .map(canonical)
      .sort();

  it("records each change, and a re-send of an older version wins again (even when it was landed before)", async () => {
    const flipped = submitsFlipped();
    expect(flipped.length).toBeGreaterThan(5);
    // Right, then wrong (a re-send with is_correct flipped), then right again.
    await extract({ db, config: config() }, { ...D9, now: day(20) });
    sim.setFaults([{ kind: "flip", percent: 20, times: 1 }]);
    const wrong = await extract({ db, config: config() }, { ...D9, now: day(20), force: true });
    expect(wrong).toMatchObject({ conflicts: flipped.length, inserted: flipped.length, resent: 0 });
    const right = await extract({ db, config: config() }, { ...D9, now: day(20), force: true });
    // The right versions were landed at first: they are re-sent, not inserted, and win again.
    expect(right).toMatchObject({ conflicts: flipped.length, inserted: 0, resent: flipped.length });
    expect(await winners()).toEqual(servedWithKey());

    const { rows } = await db.query<{
      changes: Record<string, unknown[]>;
      record_key: Record<string, unknown>;
    }>("SELECT changes, record_key FROM raw.api_conflicts ORDER BY id");
    expect(rows).toHaveLength(2 * flipped.length);
    for (const r of rows) expect(Object.keys(r.changes)).toEqual(["is_correct"]);
    const first = flipped[0] as Record<string, unknown>;
    const mine = rows.filter(
      (r) => r.record_key.lti_user_id === first.lti_user_id && r.record_key.created_at === first.created_at,
    );
    expect(mine.map((r) => r.changes.is_correct)).toEqual([
      [first.is_correct, first.is_correct === 1 ? 0 : first.is_correct === 0 ? 1 : !first.is_correct],
      [first.is_correct === 1 ? 0 : first.is_correct === 0 ? 1 : !first.is_correct, first.is_correct],
    ]);

    // A plain re-send of the winners changes nothing.
    const plain = await extract({ db, config: config() }, { ...D9, now: day(20), force: true });
    expect(plain).toMatchObject({ conflicts: 0, inserted: 0, resent: 0 });
  });
});
