import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { localDate } from "../../src/log/timestamp.ts";
import { type Simulator, startSimulator } from "../../src/simulator/start-simulator.ts";
import { ELT_BIN, runElt } from "../helpers/cli.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.ts";
import { tempProject } from "../helpers/project.ts";
import { expectedRecords, loads, rawCount } from "./helpers.ts";

const SEED = 11;
const PER_DAY = 300;
const KEY = "sim-key-7f3a9c";

let pgdb: TestDatabase;
let db: Database;
let sim: Simulator;

function project(api: Record<string, unknown> = {}): string {
  const apiYaml = Object.entries({
    url: sim.url,
    client: "demo",
    client_key: KEY,
    timeout_seconds: 5,
    retries: 2,
    retry_base_delay_ms: 10,
    retry_max_delay_seconds: 1,
    ...api,
  })
    .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
    .join("\n");
  return tempProject({ "project.yml": `database:\n  url: ${pgdb.url}\napi:\n${apiYaml}\n` });
}

beforeAll(async () => {
  pgdb = await createTestDatabase("extract_cli");
  db = await openDatabase({ url: pgdb.url, embeddedDir: "unused" });
  await migrate(db);
  sim = await startSimulator({ seed: SEED, perDay: PER_DAY, clientKey: KEY });
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

describe("elt extract", () => {
  it("--date lands the day, logging start and end of the download, never the key", async () => {
    const dir = project();
    const result = await runElt(["extract", "--project-dir", dir, "--date", "2024-03-01"]);
    expect(result.stderr).toContain("download [2024-03-01 00:00, 2024-03-02 00:00) started");
    expect(result.code).toBe(0);
    const expected = expectedRecords({
      seed: SEED,
      perDay: PER_DAY,
      start: new Date("2024-03-01T00:00Z"),
      end: new Date("2024-03-02T00:00Z"),
    });
    expect(result.stderr).toMatch(new RegExp(`done: ${expected.size} records, [\\d.]+ KB in`));
    expect(result.stderr).toMatch(/progress: 1\/1 windows/);
    expect(await rawCount(db)).toEqual({ n: expected.size, distinct: expected.size });
    const logText = readFileSync(join(dir, "logs", `${localDate()}.log`), "utf8");
    expect(logText).toMatch(/INFO {2}download \[2024-03-01 00:00, 2024-03-02 00:00\) done/);
    for (const text of [result.stderr, result.stdout, logText]) expect(text).not.toContain(KEY);
  });

  it.each([
    ["a wrong client_key: 403, no retry, exit 2", { client_key: "wrong-key-123456" }, [], 403, 1, 2],
    ["503 on every attempt, exit 1", {}, [{ kind: "status", status: 503 }], 503, 3, 1],
  ] as const)(
    "fails for good on %s: ERROR with the status, nothing landed",
    async (_n, api, faults, status, attempts, code) => {
      sim.setFaults([...faults]);
      const dir = project(api);
      const result = await runElt(["extract", "--project-dir", dir, "--date", "2024-03-01"]);
      expect(result.code).toBe(code);
      if (code === 2) expect(result.stderr).toMatch(/ELT_API_CLIENT_KEY/);
      expect(result.stderr).toMatch(
        new RegExp(
          `download \\[2024-03-01 00:00, 2024-03-02 00:00\\) failed with HTTP ${status} after ${attempts} attempt`,
        ),
      );
      expect(result.stderr).toMatch(/1 of 1 windows failed/);
      const logText = readFileSync(join(dir, "logs", `${localDate()}.log`), "utf8");
      expect(logText).toMatch(new RegExp(`ERROR .*HTTP ${status}`));
      expect(await rawCount(db)).toEqual({ n: 0, distinct: 0 });
      expect((await loads(db)).map((l) => [l.status, l.http_status, l.attempts])).toEqual([
        ["failed", status, attempts],
      ]);
      for (const text of [result.stderr, result.stdout, logText]) {
        expect(text).not.toContain(KEY);
        expect(text).not.toContain("wrong-key-123456");
      }
    },
  );

  it("rejects bad dates with exit 2", async () => {
    const dir = project();
    expect((await runElt(["extract", "--project-dir", dir, "--date", "2024-13-01"])).code).toBe(2);
    expect(
      (await runElt(["extract", "--project-dir", dir, "--date", "2024-03-01", "--start", "2024-03-01"])).code,
    ).toBe(2);
    expect((await runElt(["extract", "--project-dir", dir, "--end", "2024-03-01"])).code).toBe(2);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const future = await runElt(["extract", "--project-dir", dir, "--date", tomorrow]);
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/--start is in the future/);
  });

  it("a backfill killed mid-way resumes: landed windows are skipped, nothing lost or doubled", async () => {
    // Every response trickles in, so the backfill takes long enough to be killed in the middle.
    const slow = await startSimulator({
      seed: SEED,
      perDay: 1500,
      clientKey: KEY,
      faults: [{ kind: "slow", ms: 4 }],
    });
    const dir = project({ url: slow.url });
    const args = ["extract", "--project-dir", dir, "--start", "2024-03-01", "--end", "2024-03-08"];
    const child = spawn(process.execPath, [ELT_BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    let landed = 0;
    for (let i = 0; i < 600 && landed < 2; i++) {
      await sleep(50);
      const { rows } = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM elt.loads WHERE status = 'landed'",
      );
      landed = rows[0]?.n ?? 0;
    }
    child.kill("SIGKILL");
    await exited;
    expect(landed).toBeGreaterThanOrEqual(2);
    const before = await loads(db);
    expect(before.length).toBeLessThan(7);

    slow.setFaults([]);
    const rerun = await runElt(args);
    await slow.close();
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toMatch(
      /load\(s\) left running by an interrupted extract marked failed|already landed/,
    );
    const after = await loads(db);
    const skipped = (rerun.stderr.match(/already landed: skipped/g) ?? []).length;
    expect(skipped).toBeGreaterThanOrEqual(2);
    expect(after.filter((l) => l.status === "landed")).toHaveLength(7);
    expect(after.filter((l) => l.status === "running")).toHaveLength(0);
    const expected = expectedRecords({
      seed: SEED,
      perDay: 1500,
      start: new Date("2024-03-01T00:00Z"),
      end: new Date("2024-03-08T00:00Z"),
    });
    expect(await rawCount(db)).toEqual({ n: expected.size, distinct: expected.size });
  });
});

describe("elt dev api", () => {
  it("serves the simulator until interrupted, printing URL and credentials", async () => {
    const child = spawn(
      process.execPath,
      [ELT_BIN, "dev", "api", "--port", "0", "--seed", "3", "--per-day", "100", "--fault", "503x1"],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    for (let i = 0; i < 200 && !/client_key: /.test(out); i++) await sleep(50);
    const url = /url: (\S+)/.exec(out)?.[1] ?? "";
    expect(out).toContain("client: demo");
    const query = `${url}?client=demo&client_key=demo-key&start=2024-03-01&end=2024-03-02`;
    expect((await fetch(query)).status).toBe(503);
    const res = await fetch(query);
    expect(res.status).toBe(200);
    expect(Array.isArray(await res.json())).toBe(true);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  });
});
