import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { LogObject } from "consola";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { advisoryKey } from "../../src/db/advisory-key.ts";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { ConfigError } from "../../src/errors.ts";
import { extract } from "../../src/extract/extract.ts";
import { ExtractFailedError } from "../../src/extract/extract-failed-error.ts";
import { lastWatermark, recentLoads } from "../../src/extract/load-ledger.ts";
import { configureLogging, log } from "../../src/log/logger.ts";
import { type Simulator, startSimulator } from "../../src/simulator/start-simulator.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.ts";
import { canonical, expectedRecords, loads, rawCount, testConfig } from "./helpers.ts";

const PER_DAY = 400;
const SEED = 7;
const DAY1 = new Date("2024-03-01T00:00:00Z");
const DAY2 = new Date("2024-03-02T00:00:00Z");
const DAY3 = new Date("2024-03-03T00:00:00Z");

let pgdb: TestDatabase;
let db: Database;
let sim: Simulator;

beforeAll(async () => {
  configureLogging({ level: "silent" });
  pgdb = await createTestDatabase("extract");
  db = await openDatabase({ url: pgdb.url, embeddedDir: "unused" });
  await migrate(db);
  sim = await startSimulator({ seed: SEED, perDay: PER_DAY });
});
afterAll(async () => {
  await sim?.close();
  await db?.close();
  await pgdb?.drop();
});
beforeEach(async () => {
  await db.query("TRUNCATE raw.api_attempts, elt.loads RESTART IDENTITY");
  sim.setFaults([]);
});

describe("extract on PostgreSQL", () => {
  it("lands exactly the simulator's records, one load per window, and skips landed windows", async () => {
    const config = testConfig(sim.url);
    const result = await extract({ db, config }, { start: DAY1, end: DAY3 });
    const expected = expectedRecords({ seed: SEED, perDay: PER_DAY, start: DAY1, end: DAY3 });
    expect(result).toMatchObject({ windows: 2, landedWindows: 2, failedWindows: 0, skippedWindows: 0 });
    expect(result.records).toBe(expected.size);
    expect(result.inserted).toBe(expected.size);
    expect(await rawCount(db)).toEqual({ n: expected.size, distinct: expected.size });
    expect((result.lastSeq ?? 0) - (result.firstSeq ?? 0) + 1).toBe(expected.size);
    const rows = await loads(db);
    expect(rows.map((r) => [r.status, r.http_status, r.attempts])).toEqual([
      ["landed", 200, 1],
      ["landed", 200, 1],
    ]);
    // A backfill (dates given) never moves the incremental watermark.
    expect(await lastWatermark(db)).toBeUndefined();

    // The records are the API's, untouched (jsonb equality with what the generator produced).
    const { rows: sample } = await db.query<{ record: unknown }>(
      "SELECT record FROM raw.api_attempts ORDER BY id LIMIT 3",
    );
    for (const { record } of sample) expect(expected.has(canonical(record))).toBe(true);

    const before = sim.requests;
    const again = await extract({ db, config }, { start: DAY1, end: DAY3 });
    expect(again).toMatchObject({ windows: 2, skippedWindows: 2, landedWindows: 0, records: 0 });
    // Landed windows are not asked for again.
    expect(sim.requests - before).toBe(0);
  });

  it("overlapping windows and --force never duplicate a record", async () => {
    const config = testConfig(sim.url, { extract: { window_hours: 6 } });
    await extract({ db, config }, { start: DAY1, end: DAY2 });
    const shifted = await extract(
      { db, config },
      { start: new Date("2024-03-01T03:00:00Z"), end: new Date("2024-03-02T03:00:00Z") },
    );
    const forced = await extract({ db, config }, { start: DAY1, end: DAY2, force: true });
    const expected = expectedRecords({
      seed: SEED,
      perDay: PER_DAY,
      start: DAY1,
      end: new Date("2024-03-02T03:00:00Z"),
    });
    expect(await rawCount(db)).toEqual({ n: expected.size, distinct: expected.size });
    expect(forced.inserted).toBe(0);
    expect(forced.duplicates).toBe(forced.records);
    expect(shifted.duplicates).toBeGreaterThan(0);
  });

  it("no dates: from the watermark minus the overlap up to now; first run from extract.start", async () => {
    const now = new Date("2024-03-02T10:30:00Z");
    const config = testConfig(sim.url, { extract: { start: "2024-03-01", overlap_minutes: 60 } });
    const first = await extract({ db, config }, { now });
    expect(first.start).toEqual(DAY1);
    expect(first.end).toEqual(now);
    expect(first.windows).toBe(2);
    const later = new Date("2024-03-02T12:00:00Z");
    const second = await extract({ db, config }, { now: later });
    expect(second.start).toEqual(new Date("2024-03-02T09:30:00Z"));
    expect(second.windows).toBe(1);
    const expected = expectedRecords({ seed: SEED, perDay: PER_DAY, start: DAY1, end: later });
    expect(await rawCount(db)).toEqual({ n: expected.size, distinct: expected.size });
  });

  it("incremental: a failed window stops the run, and the next night starts there (no gap)", async () => {
    const config = testConfig(sim.url, { api: { retries: 0 }, extract: { start: "2024-03-01" } });
    sim.setFaults([{ kind: "status", status: 500, times: 1 }]);
    const requests = sim.requests;
    const night1 = await extract({ db, config }, { now: DAY3 }).catch((e) => e);
    expect(night1).toBeInstanceOf(ExtractFailedError);
    expect(night1.result).toMatchObject({ mode: "incremental", windows: 2, failedWindows: 1 });
    expect(night1.result).toMatchObject({ landedWindows: 0, notAttemptedWindows: 1 });
    expect(night1.message).toContain("1 later window not attempted");
    expect(night1.hint).toMatch(/next incremental extract .* starts again at the failed window/);
    expect(sim.requests - requests).toBe(1);
    expect(await lastWatermark(db)).toBeUndefined();

    const night2 = await extract({ db, config }, { now: new Date("2024-03-04T00:00:00Z") });
    expect(night2).toMatchObject({ start: DAY1, landedWindows: 3, failedWindows: 0 });
    const expected = expectedRecords({ seed: SEED, perDay: PER_DAY, start: DAY1, end: night2.end });
    expect(await rawCount(db)).toEqual({ n: expected.size, distinct: expected.size });
    expect((await loads(db)).map((l) => [l.status, l.mode])).toEqual([
      ["failed", "incremental"],
      ["landed", "incremental"],
      ["landed", "incremental"],
      ["landed", "incremental"],
    ]);
  });

  it("incremental: a backfill ahead of the watermark does not move it", async () => {
    const config = testConfig(sim.url, { extract: { start: "2024-03-01", overlap_minutes: 60 } });
    await extract({ db, config }, { now: DAY2 });
    const day5 = new Date("2024-03-05T00:00:00Z");
    const day6 = new Date("2024-03-06T00:00:00Z");
    const backfill = await extract({ db, config }, { start: day5, end: day6, now: day6 });
    expect(backfill.mode).toBe("backfill");
    expect(await lastWatermark(db)).toEqual(DAY2);
    const night = await extract({ db, config }, { now: day6 });
    expect(night.start).toEqual(new Date("2024-03-01T23:00:00Z"));
    // [03-05 23:00, 03-06) is covered by the backfill.
    expect(night).toMatchObject({ windows: 5, landedWindows: 4, skippedWindows: 1 });
    const expected = expectedRecords({ seed: SEED, perDay: PER_DAY, start: DAY1, end: day6 });
    expect(await rawCount(db)).toEqual({ n: expected.size, distinct: expected.size });
  });

  it("incremental, first night after backfills only (or an upgrade): carries on from the newest landed window", async () => {
    const config = testConfig(sim.url, { extract: { overlap_minutes: 60 } });
    await extract({ db, config }, { start: DAY1, end: DAY2, now: DAY3 });
    const night = await extract({ db, config }, { now: new Date("2024-03-04T00:00:00Z") });
    // Not yesterday (03-03): that would leave 03-02 unfetched.
    expect(night.start).toEqual(new Date("2024-03-01T23:00:00Z"));
    expect(night.mode).toBe("incremental");
  });

  it("incremental: starts no later than an earlier failed window that nothing has landed since", async () => {
    const config = testConfig(sim.url, { extract: { overlap_minutes: 0 } });
    // A ledger left by an older version: day 1 failed, day 2 landed after it.
    await db.query(
      `INSERT INTO elt.loads (window_start, window_end, status, mode) VALUES
         ('2024-03-01', '2024-03-02', 'failed', 'incremental'),
         ('2024-03-02', '2024-03-03', 'landed', 'incremental'),
         ('2024-02-27', '2024-02-28', 'failed', 'incremental'),
         ('2024-02-27', '2024-02-27 12:00', 'landed', 'backfill'),
         ('2024-02-27 12:00', '2024-02-28', 'landed', 'backfill')`,
    );
    const night = await extract({ db, config }, { now: DAY3 });
    expect(night).toMatchObject({ start: DAY1, windows: 2, landedWindows: 1, skippedWindows: 1 });
  });

  it("a start in the future is a usage error (exit 2), not a silent 'nothing to fetch'", async () => {
    const config = testConfig(sim.url);
    const now = new Date("2024-03-01T10:00:00Z");
    for (const start of [now, DAY2]) {
      const error = await extract({ db, config }, { start, now }).catch((e) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.exitCode).toBe(2);
      expect(error.message).toMatch(/--start is in the future: .* \(UTC now 2024-03-01 10:00\)/);
    }
    expect(await loads(db)).toEqual([]);
  });

  it("a backfill skips a day that nightly runs landed in pieces (coverage by the union of loads)", async () => {
    const config = testConfig(sim.url, { extract: { start: "2024-03-01", overlap_minutes: 60 } });
    // Two nights: [03-01 00:00, 03-01 12:00), then [03-01 11:00, 03-02 02:00). No single load spans 03-01.
    await extract({ db, config }, { now: new Date("2024-03-01T12:00:00Z") });
    await extract({ db, config }, { now: new Date("2024-03-02T02:00:00Z") });
    const requests = sim.requests;
    const backfill = await extract({ db, config }, { start: DAY1, end: DAY2 });
    expect(backfill).toMatchObject({ windows: 1, skippedWindows: 1, landedWindows: 0 });
    expect(sim.requests).toBe(requests);
    // A gap of one hour inside the day is not covered.
    await db.query("UPDATE elt.loads SET window_start = '2024-03-01 13:00' WHERE id = 2");
    const refetch = await extract({ db, config }, { start: DAY1, end: DAY2 });
    expect(refetch).toMatchObject({ windows: 1, skippedWindows: 0, landedWindows: 1 });
  });

  it.each([
    ["429 with Retry-After", { kind: "status", status: 429, retryAfter: 0, times: 2 }],
    ["503", { kind: "status", status: 503, times: 1 }],
    ["502", { kind: "status", status: 502, times: 1 }],
    ["500", { kind: "status", status: 500, times: 1 }],
    ["connection reset", { kind: "reset", times: 1 }],
    ["reset mid-body", { kind: "abort", times: 1 }],
    ["body cut off mid-array", { kind: "truncate", times: 1 }],
    ["HTML error page", { kind: "html", times: 1 }],
    ["timeout", { kind: "delay", ms: 1500, times: 1 }],
  ] as const)("retries after %s, then lands everything once", async (_name, fault) => {
    const config = testConfig(sim.url, { api: { timeout_seconds: 1 } });
    sim.setFaults([fault]);
    const result = await extract({ db, config }, { start: DAY1, end: DAY2 });
    const expected = expectedRecords({ seed: SEED, perDay: PER_DAY, start: DAY1, end: DAY2 });
    expect(result.inserted).toBe(expected.size);
    expect(await rawCount(db)).toEqual({ n: expected.size, distinct: expected.size });
    const [load] = await loads(db);
    expect(load).toMatchObject({ status: "landed", http_status: 200, attempts: (fault.times ?? 1) + 1 });
  });

  it.each([
    ["403 (no retry)", [{ kind: "status", status: 403 }], 403, 1, 2],
    ["401 (no retry)", [{ kind: "status", status: 401 }], 401, 1, 2],
    ["503 every time", [{ kind: "status", status: 503 }], 503, 4, 1],
    ["a body cut off every time", [{ kind: "truncate" }], 200, 4, 1],
  ] as const)(
    "fails a window for good on %s: nothing landed, the other windows still run",
    async (_n, plan, status, attempts, exitCode) => {
      const config = testConfig(sim.url);
      // The first window fails (all its attempts), the second is served normally.
      sim.setFaults([{ ...plan[0], times: attempts }]);
      const error = await extract({ db, config }, { start: DAY1, end: DAY3 }).catch((e) => e);
      expect(error).toBeInstanceOf(ExtractFailedError);
      // 401/403: wrong credentials, a configuration mistake (exit 2); anything else exit 1.
      expect(error.exitCode).toBe(exitCode);
      expect(error.hint).toMatch(exitCode === 2 ? /ELT_API_CLIENT_KEY/ : /rerun the same command/);
      expect(error.message).not.toContain("demo-key");
      expect(error.message).toContain("1 of 2 windows failed");
      if (status !== 200) expect(error.message).toContain(`HTTP ${status}`);
      expect(error.result).toMatchObject({ landedWindows: 1, failedWindows: 1 });
      const rows = await loads(db);
      expect(rows[0]).toMatchObject({ status: "failed", http_status: status, attempts, records: 0 });
      expect(rows[0]?.error).toBeTruthy();
      expect(rows[1]).toMatchObject({ status: "landed" });
      const expected = expectedRecords({ seed: SEED, perDay: PER_DAY, start: DAY2, end: DAY3 });
      expect(await rawCount(db)).toEqual({ n: expected.size, distinct: expected.size });

      // Rerunning fetches only the failed window.
      const rerun = await extract({ db, config }, { start: DAY1, end: DAY3 });
      expect(rerun).toMatchObject({ landedWindows: 1, skippedWindows: 1 });
    },
  );

  it("a 403 beside another kind of failure is not only a credentials problem: exit 1", async () => {
    const config = testConfig(sim.url, { api: { retries: 0 } });
    sim.setFaults([
      { kind: "status", status: 403, times: 1 },
      { kind: "status", status: 500, times: 1 },
    ]);
    const error = await extract({ db, config }, { start: DAY1, end: DAY3 }).catch((e) => e);
    expect(error).toBeInstanceOf(ExtractFailedError);
    expect(error.message).toContain("2 of 2 windows failed");
    expect(error.exitCode).toBe(1);
  });

  it("lands an empty 24 h window with no history to judge it by, and says so", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("[]");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const warnings: string[] = [];
    const reporter = {
      log: (o: LogObject) => {
        if (o.type === "warn") warnings.push(o.args.join(" "));
      },
    };
    log.addReporter(reporter);
    const level = log.level;
    log.level = 1; // warn
    try {
      const config = testConfig(`http://127.0.0.1:${port}/api/statistics`, { extract: { window_hours: 24 } });
      const result = await extract({ db, config }, { start: DAY1, end: new Date("2024-03-02T06:00:00Z") });
      expect(result).toMatchObject({ landedWindows: 2, records: 0 });
      // Only the 24 h window: an empty 6 h one is unremarkable.
      expect(warnings).toEqual([
        "window [2024-03-01 00:00, 2024-03-02 00:00): no records for 24 h, and too little history to judge that",
      ]);
      expect((await loads(db)).map((l) => l.status)).toEqual(["landed", "landed"]);
    } finally {
      log.level = level;
      log.removeReporter(reporter);
      server.close();
    }
  });

  it("releases the response when landing fails before reading the body", async () => {
    // A role that may not read raw.api_attempts: landing fails at its first look at raw (the
    // highest seq so far), after the response headers arrived and before a byte of the body was read.
    const role = `${pgdb.name}_noread`;
    await db.query(`CREATE ROLE "${role}" LOGIN`);
    await db.query(
      `GRANT USAGE ON SCHEMA elt, raw TO "${role}";
       GRANT SELECT, INSERT, UPDATE ON elt.loads TO "${role}";
       GRANT INSERT ON raw.api_attempts TO "${role}"`,
    );
    let closed!: () => void;
    const released = new Promise<void>((resolve) => {
      closed = resolve;
    });
    // Headers and the first bytes, then the body stays open until the client lets go.
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("[");
      res.on("close", () => closed());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const url = new URL(pgdb.url);
    url.username = role;
    const limited = await openDatabase({ url: url.toString(), embeddedDir: "unused" });
    try {
      const config = testConfig(`http://127.0.0.1:${port}/api/statistics`, { api: { retries: 0 } });
      const error = await extract({ db: limited, config }, { start: DAY1, end: DAY2 }).catch((e) => e);
      expect(error).toBeInstanceOf(ExtractFailedError);
      expect(error.message).toMatch(/landing failed \(SQLSTATE 42501\)/);
      const outcome = await Promise.race([
        released.then(() => "released"),
        new Promise((resolve) => setTimeout(resolve, 5000, "still open")),
      ]);
      expect(outcome).toBe("released");
    } finally {
      server.closeAllConnections();
      server.close();
      await limited.close();
      await db.query(`DROP OWNED BY "${role}"; DROP ROLE "${role}"`);
    }
  });

  it("landing waits for the 'landing' advisory lock, whoever holds it", async () => {
    const other = new pg.Client({ connectionString: pgdb.url });
    await other.connect();
    try {
      await other.query("SELECT pg_advisory_lock($1::bigint)", [advisoryKey("landing")]);
      const config = testConfig(sim.url);
      const running = extract({ db, config }, { start: DAY1, end: DAY2 });
      let waiting = false;
      for (let i = 0; i < 400 && !waiting; i++) {
        const { rows } = await other.query(
          `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)
           WHERE l.locktype = 'advisory' AND NOT l.granted AND a.datname = current_database()`,
        );
        waiting = rows.length > 0;
        if (!waiting) await new Promise((r) => setTimeout(r, 25));
      }
      expect(waiting).toBe(true);
      expect(await rawCount(db)).toEqual({ n: 0, distinct: 0 });
      await other.query("SELECT pg_advisory_unlock($1::bigint)", [advisoryKey("landing")]);
      expect(await running).toMatchObject({ landedWindows: 1 });
    } finally {
      await other.end();
    }
  });

  it("fails a window after retrying network errors (nothing listening), naming the cause", async () => {
    const closed = await startSimulator();
    const url = closed.url;
    await closed.close();
    const config = testConfig(url, { api: { retries: 1 } });
    const error = await extract({ db, config }, { start: DAY1, end: DAY2 }).catch((e) => e);
    expect(error).toBeInstanceOf(ExtractFailedError);
    expect(error.message).toMatch(/network error: ECONNREFUSED/);
    const [load] = await recentLoads(db);
    expect(load).toMatchObject({ status: "failed", attempts: 2, http_status: null });
  });

  it("rejects an element that is not valid JSON, names it, and lands the rest (no retry)", async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { "content-type": "application/json" });
      res.end('[{"lti_user_id": "a"}, {"lti_user_id": tru}, {"lti_user_id": "b"}]');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const config = testConfig(`http://127.0.0.1:${port}/api/statistics`);
      const result = await extract({ db, config }, { start: DAY1, end: DAY2 });
      expect(result).toMatchObject({ landedWindows: 1, records: 3, inserted: 2, rejected: 1 });
      expect(requests).toBe(1);
      expect(await rawCount(db)).toEqual({ n: 2, distinct: 2 });
      const { rows } = await db.query<{ position: number; reason: string; sqlstate: string; text: string }>(
        "SELECT position, reason, sqlstate, text FROM raw.api_rejects",
      );
      expect(rows).toEqual([
        { position: 1, reason: "unstorable", sqlstate: "22P02", text: '{"lti_user_id": tru}' },
      ]);
      expect((await loads(db))[0]).toMatchObject({ status: "landed", records: 3, inserted: 2 });
    } finally {
      server.close();
    }
  });

  it("within one answer the version sent last wins: A, B, A leaves A on top", async () => {
    const a = {
      lti_user_id: "u1",
      created_at: "2024-03-01 10:00:00.000001",
      is_correct: 1,
      attempt_type: "submit",
    };
    const b = { ...a, is_correct: 0 };
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify([a, b, a]));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const config = testConfig(`http://127.0.0.1:${port}/api/statistics`);
      const result = await extract({ db, config }, { start: DAY1, end: DAY2 });
      expect(result).toMatchObject({ records: 3, inserted: 2, duplicates: 1, resent: 0, conflicts: 2 });
      const { rows } = await db.query<{ record: { is_correct: number } }>(
        "SELECT record FROM raw.api_attempts ORDER BY seq DESC LIMIT 1",
      );
      expect(rows[0]?.record.is_correct).toBe(1);
    } finally {
      server.close();
    }
  });
});
