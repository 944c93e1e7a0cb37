// Build what changed: `--select state:modified[+]` compares each model's compiled SQL and config
// with its last published build (elt.model_runs.sql_hash/config_hash), through the real CLI.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modifiedReason, selectModels } from "../../src/transform/select-models.ts";
import { runElt } from "../helpers/cli.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.ts";

const FIXTURE = join(import.meta.dirname, "../fixtures/engine-project");

describe("state:modified, pure", () => {
  const fp = (sql: string, config = "c") => ({ sql, config });
  const models = [
    { name: "a", path: "models/a.sql", tags: [], deps: [], fingerprint: fp("1") },
    { name: "b", path: "models/b.sql", tags: [], deps: ["a"], fingerprint: fp("2") },
    { name: "c", path: "models/c.sql", tags: [], deps: ["b"], fingerprint: fp("3", "new") },
  ];
  const state = new Map([
    ["a", fp("1")],
    ["b", fp("2")],
    ["c", fp("3")],
  ]);

  it("selects what differs from the last published build, and says why", () => {
    expect([...selectModels(models, "state:modified", undefined, state)]).toEqual(["c"]);
    const why = new Map<string, string>();
    expect([...selectModels(models, "state:modified+", undefined, new Map([["b", fp("x")]]), why)]).toEqual([
      "a",
      "b",
      "c",
    ]);
    expect(Object.fromEntries(why)).toEqual({
      a: "never published",
      b: "SQL changed",
      c: "never published",
    });
    expect(modifiedReason(models[2] as (typeof models)[2], state)).toBe("config changed");
  });

  it("needs the state, and knows only state:modified", () => {
    expect(() => selectModels(models, "state:modified")).toThrow(/needs the database/);
    expect(() => selectModels(models, "state:new", undefined, state)).toThrow(/only state:modified/);
  });
});

describe("state:modified through the CLI, on PostgreSQL", () => {
  let db: TestDatabase;
  let dir: string;
  const env = () => ({ DATABASE_URL: db.url });
  const list = async (select: string) => {
    const r = await runElt(["model", "list", "--select", select], { cwd: dir, env: env() });
    expect(r.stderr).not.toMatch(/ERROR/);
    return r.stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => `${l.split(/\s+/)[0]} ${l.match(/\(([^)]*)\)$/)?.[1] ?? ""}`);
  };

  beforeAll(async () => {
    db = await createTestDatabase("state_sel");
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(`CREATE SCHEMA app;
      CREATE TABLE app.events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id text, kind text, amount numeric, at timestamp);
      INSERT INTO app.events (user_id, kind, amount, at) VALUES ('u1', 'buy', 2, '2024-05-01'), ('u2', 'click', 1, '2024-05-02');`);
    await c.end();
    dir = mkdtempSync(join(tmpdir(), "elt-state-"));
    cpSync(FIXTURE, dir, { recursive: true });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("new models, then nothing after a build, then the edited model and what reads it", async () => {
    // Never built: every model is new.
    expect((await list("state:modified")).sort()).toEqual([
      "daily_kinds never published",
      "event_log never published",
      "stg_events never published",
      "user_totals never published",
    ]);
    const built = await runElt(["model", "build"], { cwd: dir, env: env() });
    expect(built.code).toBe(0);
    expect(await list("state:modified")).toEqual([]);

    const stg = join(dir, "models/staging/stg_events.sql");
    writeFileSync(stg, `${readFileSync(stg, "utf8").trimEnd()}\n-- an analyst's edit\n`);
    expect(await list("state:modified")).toEqual(["stg_events SQL changed"]);
    const downstream = await list("state:modified+");
    expect(downstream[0]).toBe("stg_events SQL changed");
    expect(downstream.slice(1).sort()).toEqual(
      [
        "daily_kinds downstream of stg_events",
        "event_log downstream of stg_events",
        "user_totals downstream of stg_events",
      ].sort(),
    );

    const marts = join(dir, "models/marts/marts.yml");
    writeFileSync(
      marts,
      readFileSync(marts, "utf8").replace(
        "description: Events and amount per kind",
        "description: Amount per kind",
      ),
    );
    expect(await list("state:modified")).toEqual(["stg_events SQL changed", "daily_kinds config changed"]);

    // Building the changed models publishes their new fingerprints: nothing is left to build.
    const rebuilt = await runElt(["model", "build", "--select", "state:modified+"], { cwd: dir, env: env() });
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stderr).toMatch(/model analytics\.daily_kinds: success/);
    expect(await list("state:modified")).toEqual([]);
  });
});
