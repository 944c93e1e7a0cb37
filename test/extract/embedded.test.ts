import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { extract } from "../../src/extract/extract.ts";
import { ExtractFailedError } from "../../src/extract/extract-failed-error.ts";
import { configureLogging } from "../../src/log/logger.ts";
import { type Simulator, startSimulator } from "../../src/simulator/start-simulator.ts";
import { createTestDatabase, embeddedAdminUrl, type TestDatabase } from "../helpers/pg.ts";
import { expectedRecords, loads, rawCount, testConfig } from "./helpers.ts";

const SEED = 5;
const PER_DAY = 500;

let embdb: TestDatabase;
let db: Database;
let sim: Simulator;

beforeAll(async () => {
  configureLogging({ level: "silent" });
  embdb = await createTestDatabase("extract_embedded", embeddedAdminUrl());
  db = await openDatabase({ url: embdb.url, embeddedDir: "unused" });
  await migrate(db);
  sim = await startSimulator({ seed: SEED, perDay: PER_DAY });
});
afterAll(async () => {
  await sim?.close();
  await db?.close();
  await embdb?.drop();
});

describe("extract on the embedded PostgreSQL", () => {
  it("lands windows atomically and once, with retries and overlaps", async () => {
    const config = testConfig(sim.url, { extract: { window_hours: 12 }, api: { retries: 1 } });
    const start = new Date("2024-03-01T00:00:00Z");
    const end = new Date("2024-03-02T00:00:00Z");
    // A cut-off body on both attempts of the first window: it fails, nothing of it lands.
    sim.setFaults([{ kind: "truncate", times: 2 }]);
    const error = await extract({ db, config }, { start, end }).catch((e) => e);
    expect(error).toBeInstanceOf(ExtractFailedError);
    const half = expectedRecords({ seed: SEED, perDay: PER_DAY, start: new Date("2024-03-01T12:00Z"), end });
    expect(await rawCount(db)).toEqual({ n: half.size, distinct: half.size });

    // A 503 then success; then an overlapping range: nothing doubled.
    sim.setFaults([{ kind: "status", status: 503, times: 1 }]);
    const rerun = await extract({ db, config }, { start, end });
    expect(rerun).toMatchObject({ landedWindows: 1, skippedWindows: 1 });
    // [06:00, 18:00) is covered by the two landed halves together: skipped; [18:00, 06:00) is not.
    const shifted = await extract(
      { db, config },
      { start: new Date("2024-03-01T06:00:00Z"), end: new Date("2024-03-02T06:00:00Z") },
    );
    expect(shifted).toMatchObject({ skippedWindows: 1, landedWindows: 1 });
    const all = expectedRecords({
      seed: SEED,
      perDay: PER_DAY,
      start,
      end: new Date("2024-03-02T06:00:00Z"),
    });
    expect(await rawCount(db)).toEqual({ n: all.size, distinct: all.size });
    expect((await loads(db)).map((l) => l.status)).toEqual(["failed", "landed", "landed", "landed"]);
  });
});
