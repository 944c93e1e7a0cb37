// Plan, then apply: the build plan is a pure function of the project and one read of the state.
// Golden files pin the DDL each materialization emits in each case (`elt model build --dry-run`
// prints the same text); a change to them is a change in what every user's database runs.
import { describe, expect, it } from "vitest";
import { loadProject } from "../../src/config/load-project.ts";
import type { BuildState, RelationState } from "../../src/transform/build-state.ts";
import { formatBuildPlan } from "../../src/transform/format-build-plan.ts";
import { modelFingerprint } from "../../src/transform/model-fingerprint.ts";
import { planBuild } from "../../src/transform/plan-build.ts";
import { planProject } from "../../src/transform/plan-project.ts";
import { tempProject } from "../helpers/project.ts";

const PROJECT = tempProject({
  "project.yml": "name: golden\n",
  "models/events.sql": `/*---
schema: app
description: Typed events.
columns:
  id: {description: The event, tests: [not_null]}
---*/
SELECT 1 AS id, 'buy'::text AS kind, 2 AS amount, now() AS at, 7::bigint AS _seq
`,
  "models/totals.sql": `/*---
materialized: table
schema: app
primary_key: id
contract: {id: int not null, amount: bigint}
indexes: [[amount]]
tests: [{expression: "amount >= 0"}]
---*/
SELECT id, sum(amount)::bigint AS amount FROM {{ref "events"}} GROUP BY id
`,
  "models/event_log.sql": `/*---
materialized: incremental
schema: app
unique_key: id
watermark: _seq
watermark_source: raw.events.seq
indexes: [[at]]
columns:
  id: {tests: [not_null, unique]}
  kind: {tests: [{accepted_values: {values: [buy, click]}, severity: warn}]}
tests:
  - unique: [kind, at]
  - {expression: "amount > 0", scope: full}
---*/
SELECT id, kind, amount, at, _seq FROM {{ref "events"}}
{{#if is_incremental}}WHERE _seq > {{watermark}}
{{/if}}`,
  "tests/no_negative.sql": 'SELECT * FROM {{ref "totals"}} WHERE amount < 0\n',
});

function plan() {
  const { config } = loadProject(PROJECT, { env: {} });
  return planProject({ projectDir: PROJECT, config });
}

const table = (columns: string[], extra: Partial<RelationState> = {}): RelationState => ({
  kind: "table",
  columns,
  indexes: [],
  ...extra,
});

const FIRST: BuildState = { relations: new Map(), watermarkSources: new Set(["event_log"]) };
const BUILT: BuildState = {
  relations: new Map<string, RelationState>([
    ["events", { kind: "view", columns: ["id", "kind", "amount", "at", "_seq"], indexes: [] }],
    ["totals", table(["id", "amount"], { indexes: [{ columns: ["id"], unique: true }] })],
    ["event_log", table(["id", "kind", "amount", "at"], { indexes: [{ columns: ["id"], unique: true }] })],
  ]),
  watermarkSources: new Set(["event_log"]),
};

describe("build plans", () => {
  it("first build: a view, a contract table, an incremental model built in full, audited before the publish", async () => {
    await expect(formatBuildPlan(planBuild(plan(), FIRST))).toMatchFileSnapshot("golden/first-build.txt");
  });

  it("next build: the view replaced, the table swapped with its dependent kept, the batch audited and merged", async () => {
    await expect(formatBuildPlan(planBuild(plan(), BUILT))).toMatchFileSnapshot("golden/next-build.txt");
  });

  it("full refresh and a lost unique index rebuild the incremental model; a table in a view's place is dropped", () => {
    const refresh = planBuild(plan(), BUILT, { fullRefresh: true }).models;
    expect(refresh.map((m) => [m.name, m.mode, m.reason])).toEqual([
      ["events", "full", "replace the view"],
      ["event_log", "full", "full refresh"],
      ["totals", "full", "rebuild; the table there is swapped out"],
    ]);
    const lost = new Map(BUILT.relations);
    lost.set("event_log", table(["id", "kind", "amount", "at"]));
    lost.set("events", table(["id"]));
    const rebuilt = planBuild(plan(), { ...BUILT, relations: lost }).models;
    expect(rebuilt.map((m) => [m.name, m.mode, m.reason])).toEqual([
      ["events", "full", "a table stands there: drop it, create the view"],
      ["event_log", "full", "no unique index on (id) for the merge"],
      ["totals", "full", "rebuild; the table there is swapped out"],
    ]);
  });

  it("audits: batch scope by default, scope: full after the merge, none when asked", () => {
    const audits = (p: ReturnType<typeof planBuild>) =>
      p.models.flatMap((m) => m.steps.flatMap((s) => (s.kind === "audit" ? [`${s.name}:${s.scope}`] : [])));
    expect(audits(planBuild(plan(), BUILT))).toEqual([
      "not_null_events_id:full",
      "not_null_event_log_id:batch",
      "unique_event_log_id:batch",
      "accepted_values_event_log_kind:batch",
      "unique_event_log_kind__at:batch",
      "expression_event_log:full",
      "expression_totals:full",
    ]);
    expect(planBuild(plan(), BUILT).audits.map((a) => a.name)).toEqual(["no_negative"]);
    // A view published with the same SQL: its inputs' audits cover the new data; its own tests wait
    // for a change of its SQL (or elt test).
    const events = plan().allModels.get("events");
    if (!events) throw new Error("no events model");
    const kept = { ...BUILT, fingerprints: new Map([["events", modelFingerprint(events)]]) };
    expect(audits(planBuild(plan(), kept))[0]).toBe("not_null_event_log_id:batch");
    // ... and is not replaced (that would lock its readers out until the COMMIT).
    const keptView = planBuild(plan(), kept).models[0];
    expect([keptView?.reason, keptView?.steps.map((st) => st.kind)]).toEqual([
      "unchanged since its last published build: kept",
      ["sql"],
    ]);
    // A config change (a new test) is a change: the view's tests audit that build.
    const retested = {
      ...BUILT,
      fingerprints: new Map([["events", { ...modelFingerprint(events), config: "old" }]]),
    };
    expect(audits(planBuild(plan(), retested))[0]).toBe("not_null_events_id:full");
    const edited = {
      ...BUILT,
      fingerprints: new Map([["events", { ...modelFingerprint(events), sql: "old" }]]),
    };
    expect(audits(planBuild(plan(), edited))[0]).toBe("not_null_events_id:full");
    expect(audits(planBuild(plan(), BUILT, { audit: false }))).toEqual([]);
  });

  it("reads a watermark source right before the model's SELECT, also when an earlier model of the build writes it", () => {
    const staged = tempProject({
      "project.yml": "name: staged\n",
      "models/stage.sql": `/*---
materialized: incremental
schema: app
unique_key: id
watermark: _wm
watermark_source: raw.events.seq
---*/
SELECT id, seq, seq AS _wm FROM raw.events {{#if is_incremental}}WHERE seq > {{watermark}}{{/if}}
`,
      "models/merged.sql": `/*---
materialized: incremental
schema: app
unique_key: id
watermark: _seq
watermark_source: app.stage.seq
---*/
SELECT id, seq AS _seq FROM {{ref "stage"}} {{#if is_incremental}}WHERE seq > {{watermark}}{{/if}}
`,
    });
    const stagedPlan = (select?: string[]) => {
      const { config } = loadProject(staged, { env: {} });
      return planProject({ projectDir: staged, config, ...(select ? { select } : {}) });
    };
    const floors = (p: ReturnType<typeof planBuild>) =>
      p.models.map((m) => [
        m.name,
        m.steps.filter((st) => st.kind === "sql" && st.label === "read the watermark source").length,
      ]);
    // First build: app.stage does not stand yet, but stage writes it before merged runs.
    const none: BuildState = { relations: new Map(), watermarkSources: new Set() };
    expect(floors(planBuild(stagedPlan(), none))).toEqual([
      ["stage", 0],
      ["merged", 1],
    ]);
    const first = planBuild(stagedPlan(), none).models[1]?.steps.map((st) =>
      st.kind === "audit" ? "" : st.label,
    );
    expect(first?.indexOf("read the watermark source")).toBeLessThan(
      first?.indexOf("create under a new name") ?? -1,
    );
    // merged alone, nothing standing: no floor to read (its watermark is its rows' maximum).
    expect(floors(planBuild(stagedPlan(["merged"]), none))).toEqual([["merged", 0]]);
    const standing: BuildState = { relations: new Map(), watermarkSources: new Set(["stage", "merged"]) };
    expect(floors(planBuild(stagedPlan(["merged"]), standing))).toEqual([["merged", 1]]);
  });
});
