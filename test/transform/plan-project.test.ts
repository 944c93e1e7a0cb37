import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../src/config/load-project.ts";
import { CompileError } from "../../src/transform/compile-error.ts";
import { compileProject } from "../../src/transform/compile-project.ts";
import { planProject } from "../../src/transform/plan-project.ts";
import { tempProject } from "../helpers/project.ts";

const FIXTURE = join(import.meta.dirname, "../fixtures/engine-project");
const GOLDEN = join(FIXTURE, "golden");

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".sql"))
    .map((f) => f.split("\\").join("/"))
    .sort();
}

function plan(dir: string, extra: Partial<Parameters<typeof planProject>[0]> = {}) {
  const { config } = loadProject(dir, { env: {} });
  return planProject({ projectDir: dir, config, ...extra });
}

/** Plans a throwaway project and returns the CompileError's problems as `file:line: message`. */
function problemsOf(filesByPath: Record<string, string>): string[] {
  const dir = tempProject({ "project.yml": "name: t\n", ...filesByPath });
  try {
    plan(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(CompileError);
    expect((error as CompileError).exitCode).toBe(2);
    return (error as CompileError).problems.map(
      (p) => `${p.file}${p.line ? `:${p.line}` : ""}: ${p.message}`,
    );
  }
  throw new Error("expected a CompileError");
}

describe("golden compiled SQL of the fixture project", () => {
  it("matches test/fixtures/engine-project/golden (UPDATE_GOLDEN=1 rewrites it)", () => {
    const out = mkdtempSync(join(tmpdir(), "elt-compiled-"));
    compileProject(plan(FIXTURE), out);
    const compiled = join(out, "compiled");
    if (process.env.UPDATE_GOLDEN) {
      rmSync(GOLDEN, { recursive: true, force: true });
      for (const f of files(compiled)) {
        mkdirSync(dirname(join(GOLDEN, f)), { recursive: true });
        writeFileSync(join(GOLDEN, f), readFileSync(join(compiled, f)));
      }
    }
    expect(files(compiled)).toEqual(files(GOLDEN));
    for (const f of files(GOLDEN)) {
      expect(readFileSync(join(compiled, f), "utf8"), relative(FIXTURE, join(GOLDEN, f))).toBe(
        readFileSync(join(GOLDEN, f), "utf8"),
      );
    }
  });

  it("orders the models, merges sidecar config, and renders vars, macros and is_incremental", () => {
    const p = plan(FIXTURE);
    expect(p.models.map((m) => m.name)).toEqual(["stg_events", "event_log", "daily_kinds", "user_totals"]);
    const byName = Object.fromEntries(p.models.map((m) => [m.name, m]));
    expect(byName.user_totals?.config).toMatchObject({
      materialized: "table",
      schema: "analytics",
      primary_key: ["user_id"],
      tags: ["marts"],
    });
    expect(byName.daily_kinds?.deps).toEqual(["event_log"]);
    expect(byName.event_log?.relation).toEqual({ schema: "grade", name: "event_log" });
    expect(byName.event_log?.sql).not.toContain("WHERE");
    expect(byName.event_log?.incrementalSql).toContain(
      "WHERE s.event_id > (SELECT coalesce(max(watermark), 0) FROM elt.model_state WHERE model = 'event_log')",
    );
    expect(byName.stg_events?.sql).toContain("e.at >= '2024-01-01'");
    expect(byName.user_totals?.sql).toContain("sum(round(amount * 100)::bigint)");
    const withVars = plan(FIXTURE, { vars: { start_date: "2025-06-01", min_amount: 5 } });
    expect(withVars.models[0]?.sql).toContain("e.at >= '2025-06-01'");
    expect(withVars.models.find((m) => m.name === "user_totals")?.sql).toContain("amount >= 5");
  });

  it("applies the selection and keeps only the selected models' tests", () => {
    const p = plan(FIXTURE, { select: ["+daily_kinds"], exclude: ["stg_events"] });
    expect(p.models.map((m) => m.name)).toEqual(["event_log", "daily_kinds"]);
    expect(p.tests.map((t) => t.name).sort()).toEqual(
      ["assert_totals_match", "expression_daily_kinds", "unique_daily_kinds_kind"].sort(),
    );
    expect(plan(FIXTURE, { select: ["tag:staging"] }).tests.map((t) => t.model)).toEqual([
      "stg_events",
      "stg_events",
      "stg_events",
    ]);
  });
});

describe("compile errors", () => {
  it("collects every problem of the project with its file and line", () => {
    const problems = problemsOf({
      "models/sources.yml": "sources:\n  app:\n    tables: [events]\n",
      "models/unknown_ref.sql": '/*---\nmaterialized: table\n---*/\nSELECT *\nFROM {{ref "missing"}}\n',
      "models/unknown_names.sql":
        'SELECT {{var "nope"}} AS a,\n  {{var "ok" 3}} AS b\nFROM {{source "app" "nope"}}, {{source "app" "events"}}\n',
      "models/strict.sql": "SELECT 1\n-- {{undefined_thing}}\n",
      "models/syntax.sql": "/*--- {} ---*/\nSELECT 1\n{{#if is_incremental}}\nWHERE 1\n",
      "models/no_watermark.sql":
        "/*---\nmaterialized: incremental\n---*/\nSELECT 1 WHERE x > {{watermark}}\n",
      "models/bad_config.sql":
        "/*---\nmaterialized: tabel\nunique_key: [a]\ncolour: red\n---*/\nSELECT 1 AS a\n",
      "models/marts/sidecar_bad.sql": "SELECT 1\n",
      "models/marts/marts.yml": "models:\n  sidecar_bad:\n    tags: [x]\n    sheme: oops\n  ghost: {}\n",
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'models/unknown_ref.sql:5: unknown model "missing" in {{ref}}',
        'models/unknown_names.sql:1: unknown var "nope" (set it in project.yml vars or --vars, or give a default)',
        'models/unknown_names.sql:3: unknown source "app.nope" (declare it under sources: in a yml)',
        'models/strict.sql:2: template: "undefined_thing" is not defined (not a helper, partial or variable)',
        "models/no_watermark.sql:4: {{watermark}} needs `watermark: <column>` in the model config",
        'models/marts/marts.yml:5: config for unknown model "ghost"',
      ]),
    );
    expect(problems.find((p) => p.startsWith("models/syntax.sql"))).toMatch(
      /^models\/syntax\.sql:\d+: template syntax: /,
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/^models\/bad_config\.sql:2: config materialized: .*view.*(model bad_config)/),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/^models\/bad_config\.sql:4: config colour: unknown key "colour"/),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(
        /^models\/marts\/marts\.yml:4: config sheme: unknown key "sheme" \(model sidecar_bad\)/,
      ),
    );
    expect(problems.length).toBe(10);
  });

  it("says which partial a problem is in", () => {
    const problems = problemsOf({
      "macros/filter.hbs": '{{alias}}.x > 0\nAND {{ref "ghost"}} IS NOT NULL\n',
      "macros/broken.hbs": "{{nothing_here}}\n",
      "models/m.sql": 'SELECT 1\nFROM t\nWHERE {{> filter alias="t"}}\n{{> broken}}\n',
    });
    expect(problems).toEqual([
      'models/m.sql: unknown model "ghost" in {{ref}} (in partial macros/filter.hbs:2)',
      'models/m.sql: template: "nothing_here" is not defined (not a helper, partial or variable) (in partial macros/broken.hbs:1)',
    ]);
  });

  it("names a dependency cycle with its path and where the closing ref is", () => {
    const problems = problemsOf({
      "models/a.sql": 'SELECT * FROM {{ref "c"}}\n',
      "models/b.sql": '-- b reads a\nSELECT * FROM {{ref "a"}}\n',
      "models/c.sql": 'SELECT * FROM {{ref "b"}}\n',
      "models/d.sql": 'SELECT 1 FROM {{this}}\n\n{{#if is_incremental}}{{ref "d"}}{{/if}}\n',
    });
    expect(problems).toEqual([
      "models/b.sql:2: dependency cycle: a → c → b → a",
      "models/d.sql:3: dependency cycle: d → d",
    ]);
  });

  it("rejects duplicate model names, cross-key config mistakes and bad tests", () => {
    const problems = problemsOf({
      "models/x/dup.sql": "SELECT 1\n",
      "models/y/dup.sql": "SELECT 2\n",
      "models/inc.sql":
        "/*---\nmaterialized: incremental\nwatermark: _id\nunique_key: [_id]\ncolumns:\n  _id: {tests: [not_null]}\n---*/\nSELECT 1 AS _id\n",
      "models/v.sql":
        "/*---\nprimary_key: a\ntests:\n  - unique\n  - frobnicate: [a]\n---*/\nSELECT 1 AS a\n",
      "models/w.sql": "SELECT 1 AS a\n",
      "models/long.sql": `/*---\nmaterialized: table\nalias: ${"t".repeat(55)}\n---*/\nSELECT 1 AS a\n`,
      "models/w.yml":
        "models:\n  w:\n    columns:\n      a:\n        tests:\n          - relationships: {to: nope, field: a}\n",
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'models/y/dup.sql: model name "dup" is also used by models/x/dup.sql (names must be unique)',
        'models/inc.sql:4: config unique_key: must not include the watermark column "_id" (model inc)',
        "models/inc.sql:6: config columns._id: the watermark column is not stored in the relation (model inc)",
        "models/v.sql:2: config primary_key: not allowed for a view (materialized: view) (model v)",
        "models/v.sql:4: test: unique: which column? (give column: or columns:) (model v)",
        'models/v.sql:5: test: unknown test "frobnicate" (one of not_null, unique, accepted_values, relationships, expression) (model v)',
        'models/w.yml:6: test relationships: unknown model or source "nope" (model w)',
        `models/long.sql:3: config alias: "${"t".repeat(55)}" is 55 bytes; PostgreSQL names hold 63, so at most 54 (the build stages the table as <alias>__elt_tmp): set a shorter alias (model long)`,
      ]),
    );
  });
});
