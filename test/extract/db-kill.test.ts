import { spawn } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { type Simulator, startSimulator } from "../../src/simulator/start-simulator.ts";
import { ELT_BIN, runElt } from "../helpers/cli.ts";
import { ADMIN_URL, createTestDatabase, type TestDatabase } from "../helpers/pg.ts";
import { tempProject } from "../helpers/project.ts";
import { expectedRecords, loads, rawCount } from "./helpers.ts";

const SEED = 21;
const PER_DAY = 3000;
const DAY1 = new Date("2024-03-01T00:00:00Z");
const DAY2 = new Date("2024-03-02T00:00:00Z");

let pgdb: TestDatabase;
let db: Database;
let sim: Simulator;
let admin: pg.Client;

/** Waits until this database runs a landing COPY (into raw or the duplicate path's table), then kills that backend. */
async function killLandingCopy(): Promise<boolean> {
  for (let i = 0; i < 600; i++) {
    const { rows } = await admin.query(
      `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
       WHERE datname = $1 AND state = 'active' AND query LIKE 'COPY %'`,
      [pgdb.name],
    );
    if (rows.some((r) => r.killed)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

beforeAll(async () => {
  pgdb = await createTestDatabase("extract_kill");
  db = await openDatabase({ url: pgdb.url, embeddedDir: "unused" });
  await migrate(db);
  // The first response trickles in, so the COPY is still running when its backend is killed.
  sim = await startSimulator({ seed: SEED, perDay: PER_DAY, faults: [{ kind: "slow", ms: 10, times: 1 }] });
  admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await sim?.close();
  await db?.close();
  await pgdb?.drop();
});

describe("the database connection killed mid-COPY", () => {
  it("leaves nothing of the attempt visible; the rerun lands the window once, complete", async () => {
    const dir = tempProject({
      "project.yml": `database:\n  url: ${pgdb.url}\napi:\n  url: ${sim.url}\n  client: demo\n  client_key: demo-key\n  retry_base_delay_ms: 10\n  retry_max_delay_seconds: 1\n`,
    });
    const args = ["extract", "--project-dir", dir, "--date", "2024-03-01"];
    const child = spawn(process.execPath, [ELT_BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
      stdio: "ignore",
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(await killLandingCopy()).toBe(true);
    const code = await exited;
    const expected = expectedRecords({ seed: SEED, perDay: PER_DAY, start: DAY1, end: DAY2 });
    const first = await rawCount(db);
    // The lost connection is retried like a network failure: the window lands whole on attempt 2.
    expect(code).toBe(0);
    expect(first).toEqual({ n: expected.size, distinct: expected.size });
    expect((await loads(db)).map((l) => [l.status, l.attempts])).toEqual([["landed", 2]]);

    const rerun = await runElt(args);
    expect(rerun.code).toBe(0);
    const forced = await runElt([...args, "--force"]);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(new RegExp(`landed 0 new, ${expected.size} duplicates`));
    expect(await rawCount(db)).toEqual({ n: expected.size, distinct: expected.size });
    expect((await loads(db)).filter((l) => l.status === "landed").length).toBeGreaterThanOrEqual(2);
  });
});
