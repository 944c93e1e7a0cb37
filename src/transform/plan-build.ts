import { batchAuditSql } from "./audit-sql.ts";
import type { BuildState } from "./build-state.ts";
import { type AuditStep, type BuildStep, sqlStep } from "./build-step.ts";
import { rowFailure, testSql } from "./data-test-sql.ts";
import type { Staged } from "./materializations/context.ts";
import { MATERIALIZATIONS } from "./materializations/registry.ts";
import { createSchemaSql } from "./materializations/templates.ts";
import { modelFingerprint } from "./model-fingerprint.ts";
import type { PlannedModel, PlannedTest, ProjectPlan } from "./plan-project.ts";
import { modelOrigin, type SqlOrigin, testOrigin } from "./sql-origin.ts";

/** One model's part of a build: what it will do and why. */
export interface ModelBuild {
  name: string;
  /** `schema.name`, for people. */
  relation: string;
  materialized: string;
  mode: "full" | "incremental";
  reason: string;
  deps: string[];
  steps: BuildStep[];
  /** Where its SQL comes from: a failing step's error points into the model's file. */
  origin: SqlOrigin;
}

/**
 * A whole build: the models in order, then the audits that read several models or whole relations
 * (singular tests), then one publish — the transaction's COMMIT, only when no error-severity audit
 * failed and every model built (docs/adr/0012-write-audit-publish.md).
 */
export interface BuildPlan {
  models: ModelBuild[];
  audits: AuditStep[];
}

export interface BuildPlanOptions {
  /** Incremental models are rebuilt from scratch (and their watermark reset). */
  fullRefresh?: boolean;
  /** Run the selected models' tests as audits before publishing (default true). */
  audit?: boolean;
}

function audit(
  test: PlannedTest,
  sql: string,
  scope: "batch" | "full",
  trace?: Partial<AuditStep>,
): AuditStep {
  return {
    kind: "audit",
    name: test.name,
    ...(test.model ? { model: test.model } : {}),
    severity: test.severity,
    scope,
    sql: sql.replace(/[\s;]+$/, ""),
    refs: test.refs,
    origin: testOrigin(test),
    ...trace,
  };
}

/** The audits of one model's config tests on what it has staged (see Staged). */
function modelAudits(model: PlannedModel, tests: PlannedTest[], staged: Staged): AuditStep[] {
  const source = model.config.watermarkSource;
  const trace =
    staged.watermark && source ? { traceColumn: staged.watermark, traceSource: source } : undefined;
  return tests.flatMap((t) => {
    if (!t.spec) return [];
    if (staged.after === "merge") {
      // After the merge, only what asked for the whole relation.
      return t.scope === "full" ? [audit(t, t.sql, "full")] : [];
    }
    // Row tests read the staged relation whatever its kind: screened together (see AuditStep).
    const failing = rowFailure(t.spec);
    const screen = failing === undefined ? {} : { screen: { relation: staged.relation, failing } };
    if (staged.kind === "full")
      return [audit(t, testSql(staged.relation, t.spec, t.toRelation), "full", { ...trace, ...screen })];
    if (t.scope === "full") return [];
    const { sql, traced } = batchAuditSql({
      spec: t.spec,
      batch: staged.relation,
      target: model.quoted,
      uniqueKey: model.config.unique_key,
      ...(t.toRelation ? { toRelation: t.toRelation } : {}),
      ...(staged.watermark ? { watermark: staged.watermark } : {}),
    });
    return [audit(t, sql, "batch", { ...(traced ? trace : {}), ...screen })];
  });
}

/** The model's watermark source when it stands by the time the model runs (see readFloorSql). */
function floorSource(model: PlannedModel, state: BuildState, written: ReadonlySet<string>) {
  const source = model.config.watermark ? model.config.watermarkSource : undefined;
  if (!source) return null;
  const stands = state.watermarkSources.has(model.name) || written.has(`${source.schema}.${source.table}`);
  return stands ? source : null;
}

/**
 * Turns the selected models into steps from one read of their relations' state. Pure: the same
 * plan and state give the same steps, which `elt model build --dry-run` prints.
 */
export function planBuild(plan: ProjectPlan, state: BuildState, options: BuildPlanOptions = {}): BuildPlan {
  const withAudits = options.audit ?? true;
  const changed = (model: PlannedModel) => {
    const published = state.fingerprints?.get(model.name);
    const fingerprint = modelFingerprint(model);
    return published?.sql !== fingerprint.sql || published.config !== fingerprint.config;
  };
  const publishedViews = Object.fromEntries(
    [...plan.allModels.values()]
      .filter((m) => m.config.materialized === "view" && state.fingerprints?.has(m.name) && !changed(m))
      .map((m) => [m.quoted, m.sql.replace(/\s+$/, "")]),
  );
  const rebuiltViews = plan.models
    .filter((m) => m.config.materialized === "view" && changed(m))
    .map((m) => m.quoted);
  // Relations an earlier model of this build writes: a watermark source among them stands by the
  // time a later model reads it, even on the first build.
  const written = new Set<string>();
  const models = plan.models.map((model): ModelBuild => {
    const materialization = MATERIALIZATIONS[model.config.materialized];
    if (!materialization) throw new Error(`unknown materialization "${model.config.materialized}"`);
    // A view has no batch: its rows follow from its inputs, whose own audits read the new data. What
    // a view adds is its SQL, so its tests audit a build that changes it (or asked for scope: full).
    const unchanged = !changed(model);
    const viewKept = model.config.materialized === "view" && unchanged;
    const tests = withAudits
      ? plan.tests.filter((t) => t.spec && t.model === model.name && !(viewKept && t.scope !== "full"))
      : [];
    const planned = materialization.plan({
      model,
      existing: state.relations.get(model.name),
      fullRefresh: options.fullRefresh ?? false,
      floor: floorSource(model, state, written),
      unchanged,
      rebuiltViews,
      publishedViews,
      audits: (staged) => modelAudits(model, tests, staged),
    });
    written.add(`${model.relation.schema}.${model.relation.name}`);
    return {
      name: model.name,
      relation: `${model.relation.schema}.${model.relation.name}`,
      materialized: model.config.materialized,
      mode: planned.mode,
      reason: planned.reason,
      deps: model.deps,
      steps: [sqlStep("make sure of the schema", createSchemaSql(model.relation.schema)), ...planned.steps],
      origin: modelOrigin(model),
    };
  });
  // A test across models audits a build that writes all of them; the others are `elt test`'s.
  const built = new Set(plan.models.map((m) => m.name));
  const audits = withAudits
    ? plan.tests
        .filter((t) => !t.spec && t.refs.every((r) => built.has(r)))
        .map((t) => audit(t, t.sql, "full"))
    : [];
  return { models, audits };
}
