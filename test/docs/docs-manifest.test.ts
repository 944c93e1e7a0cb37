import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../../src/config/load-project.ts";
import { openDatabase } from "../../src/db/open-database.ts";
import { buildDocsManifest } from "../../src/docs/docs-manifest.ts";
import { exportDocs } from "../../src/docs/export-lineage.ts";
import type { Ledger } from "../../src/docs/ledger.ts";
import { readLedger } from "../../src/docs/read-ledger.ts";
import { readProjectDocs } from "../../src/docs/read-project-docs.ts";
import { renderSite } from "../../src/docs/render-site.ts";
import { planProject } from "../../src/transform/plan-project.ts";
import { runElt } from "../helpers/cli.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.ts";
import { tempProject } from "../helpers/project.ts";

/**
 * The docs manifest and page without a browser: lineage edges, the ledger read whole (missing
 * tables, columns added later), project text escaped, and `elt docs generate` with no database.
 */

const HOSTILE = `<img src=x onerror="alert(1)"> & </script><script>alert(2)</script>`;

const PROJECT = {
  "project.yml": "name: docs_fixture\nlogs:\n  dir: logs\nexports:\n  summary: {model: daily_summary}\n",
  "models/sources.yml": `sources:
  app:
    schema: app
    description: The app's own tables.
    tables:
      - name: events
        description: One row per event.
        columns:
          kind: What happened.
`,
  "models/stg_events.sql": `/*---
description: '${HOSTILE.replace(/'/g, "''")}'
columns:
  kind: {description: "the kind, e.g. <b>click</b>", tests: [not_null]}
---*/
SELECT id, kind FROM {{source "app" "events"}} -- </script> in a comment
`,
  "models/daily_summary.sql": `/*---
schema: grade
materialized: table
columns:
  day: {tests: [not_null, unique]}
---*/
SELECT 1 AS day FROM {{ref "stg_events"}}
`,
  "tests/no_empty_kind.sql": `SELECT * FROM {{ref "stg_events"}} WHERE kind = ''\n`,
};

function manifestOf(dir: string, ledger: Ledger) {
  const { config } = loadProject(dir, { env: {} });
  const plan = planProject({ projectDir: dir, config });
  return buildDocsManifest({
    project: config.name,
    plan,
    files: readProjectDocs(plan, config),
    exports: exportDocs(config, plan, (p) => join(dir, p)),
    ledger,
    generatedAt: new Date("2026-01-02T03:04:05Z"),
  });
}

describe("the docs manifest", () => {
  const dir = tempProject(PROJECT);
  const ledger: Ledger = {
    available: true,
    builds: {
      stg_events: { status: "success", ms: 12 },
      daily_summary: { status: "failed", error: "boom <x>" },
    },
    tests: { not_null_stg_events_kind: { status: "fail", severity: "error", failures: 3 } },
  };

  it("links sources → models → tests and the summary model → the exports", () => {
    const m = manifestOf(dir, ledger);
    expect(m.edges).toEqual(
      expect.arrayContaining([
        { from: "source:app.events", to: "model:stg_events" },
        { from: "model:stg_events", to: "model:daily_summary" },
        { from: "model:stg_events", to: "tests:stg_events" },
        { from: "model:stg_events", to: "test:no_empty_kind" },
        { from: "model:daily_summary", to: "export:sheets" },
        { from: "model:daily_summary", to: "export:email" },
      ]),
    );
    const status = Object.fromEntries(m.nodes.map((n) => [n.id, n.status]));
    expect(status).toMatchObject({
      "model:stg_events": "success",
      "model:daily_summary": "failed",
      "tests:stg_events": "fail",
      "tests:daily_summary": "none",
    });
    const stg = m.models.find((x) => x.name === "stg_events");
    expect(stg?.columns).toEqual([
      { name: "kind", description: "the kind, e.g. <b>click</b>", tests: ["not_null_stg_events_kind"] },
    ]);
    expect(stg?.source).toContain("{{source");
    expect(m.sources).toEqual([
      expect.objectContaining({
        key: "app.events",
        relation: "app.events",
        description: "One row per event.",
      }),
    ]);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  it("escapes every piece of project text in the page", () => {
    const html = renderSite(manifestOf(dir, ledger));
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>click");
    expect(html).not.toContain("boom <x>");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    // Only the page's own two scripts open and close; the JSON index cannot end its element early.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it("says why there are no results when there is no ledger", () => {
    const m = manifestOf(dir, { available: false, reason: "no database here" });
    expect(m.ledger).toEqual({ available: false, reason: "no database here" });
    expect(m.nodes.every((n) => n.status === "none")).toBe(true);
    expect(renderSite(m)).toContain("No build results: no database here.");
  });
});

describe("reading the ledger", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("docs_ledger");
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("has none in a database never migrated, and reads rows whole, columns added later included", async () => {
    const conn = await openDatabase({ url: db.url, embeddedDir: "unused" });
    try {
      expect(await readLedger(conn)).toMatchObject({ available: false });
      await conn.query(`
        CREATE SCHEMA elt;
        CREATE TABLE elt.model_runs (id bigint GENERATED ALWAYS AS IDENTITY, model text, status text,
          rows bigint, ms integer, finished_at timestamptz, run_id bigint, published boolean, later text);
        INSERT INTO elt.model_runs (model, status, rows, ms, finished_at, run_id, published) VALUES
          ('a', 'failed', NULL, 5, '2026-01-01 10:00+00', 1, false),
          ('a', 'success', 1234, 40, '2026-01-02 10:00+00', 2, true),
          ('b', 'skipped', NULL, 0, '2026-01-02 10:00+00', NULL, NULL);`);
      expect(await readLedger(conn)).toEqual({
        available: true,
        builds: {
          a: {
            status: "success",
            rows: 1234,
            ms: 40,
            finishedAt: "2026-01-02T10:00:00+00:00",
            runId: "2",
            published: true,
          },
          b: { status: "skipped", ms: 0, finishedAt: "2026-01-02T10:00:00+00:00" },
        },
        tests: {},
      });
    } finally {
      await conn.close();
    }
  });
});

describe("elt docs generate", () => {
  it("writes the site without results when the database cannot be reached, and says so", async () => {
    const dir = tempProject({
      ...PROJECT,
      "project.yml":
        "name: docs_fixture\ndatabase:\n  url: postgres://nobody@127.0.0.1:1/none\nlogs:\n  dir: logs\n",
    });
    const r = await runElt(["docs", "generate"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/docs without build and test results: .*unavailable/);
    const html = readFileSync(join(dir, "target/docs/index.html"), "utf8");
    expect(html).toContain("No build results: cannot connect to");
    expect(existsSync(join(dir, "target/docs/manifest.json"))).toBe(true);
  });
});
