import format from "pg-format";
import type { BuildStep } from "../build-step.ts";
import { sqlStep } from "../build-step.ts";
import type { Materialization, MaterializeInput, MaterializePlan } from "./context.ts";
import { describeSteps } from "./describe.ts";
import { floorStep } from "./floor-step.ts";
import { replaceSteps } from "./replace-relation.ts";
import {
  assertColumnsSql,
  conformConstraintsSql,
  conformTypesSql,
  createContractTableSql,
  createTableAsSql,
  dropColumnSql,
  indexSql,
  primaryKeySql,
  renameSql,
  saveWatermarkSql,
  selectColumnsSql,
  tempName,
  tempViewSql,
} from "./templates.ts";

const sameKey = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((c) => b.includes(c));

/**
 * A full build (table; incremental on its first run or --full-refresh): the new table is written
 * under `<alias>__elt_tmp` while the old one keeps serving, audited, then swapped in; keys and
 * indexes are created on the final name so their names stay stable across builds.
 *
 * The SELECT is written once, straight into that table (CREATE TABLE AS, which PostgreSQL may read
 * in parallel): a contract is applied to it afterwards from a shape table (migration 0130), and a
 * watermark column, read for the model's state, is dropped from it before the swap (ADR 0017).
 */
export function tableSteps(input: MaterializeInput): BuildStep[] {
  const { model } = input;
  const { config } = model;
  const tmp = format("%I.%I", config.schema, `${config.alias}__elt_tmp`);
  const wm = config.watermark;
  const contract = config.contract;
  const steps: BuildStep[] = [sqlStep("clear a leftover", `DROP TABLE IF EXISTS ${tmp}`)];
  // No steps without a watermark: plan-build gives such a model no floor source.
  const { steps: readFloor, floor } = floorStep(input);
  steps.push(...readFloor);
  const checkWatermark = (relation: string) =>
    wm
      ? [sqlStep("check the watermark column", assertColumnsSql(relation, [wm], `watermark "${wm}"`, false))]
      : [];

  let shape: string | undefined;
  if (contract) {
    // Planned first, so a SELECT that does not match the contract fails before it runs.
    const select = tempName(model.name, "select");
    const columns = Object.keys(contract);
    const written = wm ? [...columns, wm] : columns;
    // One short name per schema (each model drops its shape before the next makes one): a name
    // PostgreSQL makes up from it for a constraint is never cut short (conform_constraints relies on it).
    shape = format("%I.%I", config.schema, "elt__contract_shape");
    steps.push(
      sqlStep("plan the SELECT", tempViewSql(select, model.sql)),
      ...checkWatermark(select),
      sqlStep("check the contract", assertColumnsSql(select, written, "the contract")),
      sqlStep("create under a new name", createTableAsSql(tmp, selectColumnsSql(written, select)), {
        rows: true,
      }),
      sqlStep("drop the plan", `DROP VIEW ${select}`),
      sqlStep("the contract's shape", createContractTableSql(shape, contract)),
      sqlStep("the contract's types", conformTypesSql(tmp, shape)),
    );
  } else {
    steps.push(
      sqlStep("create under a new name", createTableAsSql(tmp, model.sql), { rows: true }),
      ...checkWatermark(tmp),
    );
  }
  // A new table has no statistics until autovacuum comes after the commit: the audits, and the models
  // and tests after it in this build, would plan blind (the latest-load audit guessed 1,000 of 193k
  // rows and probed the grade key by text: 0.9 s; 0.45 s with statistics). Sampled: the build sets
  // default_statistics_target 10 (~3,000 rows).
  steps.push(sqlStep("analyze", `ANALYZE ${tmp}`));
  steps.push(...input.audits({ relation: tmp, kind: "full", ...(wm ? { watermark: wm } : {}) }));
  if (wm) {
    steps.push(
      sqlStep("save the watermark", saveWatermarkSql(model.name, wm, tmp, true, floor)),
      sqlStep("leave the watermark out", dropColumnSql(tmp, wm)),
    );
  }
  if (shape) {
    // It drops the shape too.
    steps.push(sqlStep("the contract's constraints", conformConstraintsSql(tmp, shape)));
  }
  // CREATE TABLE AS's command tag is the row count: no second pass over the new table to count it.
  steps.push(...replaceSteps(input, [sqlStep("swap in", renameSql(tmp, config.alias))]));
  if (config.primary_key.length > 0)
    steps.push(sqlStep("primary key", primaryKeySql(model.quoted, config.primary_key)));
  // ON CONFLICT needs a unique index on the merge key.
  const key = config.unique_key;
  if (key.length > 0 && !sameKey(key, config.primary_key))
    steps.push(sqlStep("unique index on the merge key", indexSql(model.quoted, key, true)));
  for (const index of config.indexes)
    steps.push(sqlStep("index", indexSql(model.quoted, index.columns, index.unique)));
  steps.push(...describeSteps(model, "TABLE"));
  return steps;
}

export function fullBuild(input: MaterializeInput, reason: string): MaterializePlan {
  return { mode: "full", reason, steps: tableSteps(input) };
}

export const table: Materialization = {
  plan(input) {
    const what = input.existing ? `rebuild; the ${input.existing.kind} there is swapped out` : "build";
    return fullBuild(input, what);
  },
};
