import format from "pg-format";
import type { BuildStep } from "../build-step.ts";
import { sqlStep } from "../build-step.ts";
import type { Materialization, MaterializeInput, MaterializePlan } from "./context.ts";
import { describeSteps } from "./describe.ts";
import { floorStep } from "./floor-step.ts";
import { replaceSteps } from "./replace-relation.ts";
import {
  assertColumnsSql,
  createContractTableSql,
  createTableAsSql,
  dropColumnSql,
  indexSql,
  insertSelectSql,
  primaryKeySql,
  renameSql,
  saveWatermarkSql,
  tempName,
  tempTableSql,
  tempViewSql,
} from "./templates.ts";

const sameKey = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((c) => b.includes(c));

/**
 * A full build (table; incremental on its first run or --full-refresh): the new table is written
 * under `<alias>__elt_tmp` while the old one keeps serving, audited, then swapped in; keys and
 * indexes are created on the final name so their names stay stable across builds.
 */
export function tableSteps(input: MaterializeInput): BuildStep[] {
  const { model } = input;
  const { config } = model;
  const tmp = format("%I.%I", config.schema, `${config.alias}__elt_tmp`);
  const wm = config.watermark;
  const contract = config.contract ? Object.keys(config.contract) : undefined;
  const steps: BuildStep[] = [sqlStep("clear a leftover", `DROP TABLE IF EXISTS ${tmp}`)];

  if (wm) {
    // The SELECT is materialised once: the watermark state takes max(wm), the table the rest.
    const source = tempName(model.name, "source");
    const { steps: readFloor, floor } = floorStep(input);
    steps.push(
      ...readFloor,
      sqlStep("write the SELECT", tempTableSql(source, model.sql)),
      sqlStep("check the watermark column", assertColumnsSql(source, [wm], `watermark "${wm}"`, false)),
      ...input.audits({ relation: source, kind: "full", watermark: wm }),
      sqlStep("save the watermark", saveWatermarkSql(model.name, wm, source, true, floor)),
    );
    if (contract) {
      steps.push(
        sqlStep("check the contract", assertColumnsSql(source, [...contract, wm], "the contract")),
        sqlStep("create under a new name", createContractTableSql(tmp, config.contract ?? {})),
        sqlStep("fill it", insertSelectSql(tmp, contract, source), { rows: true }),
      );
    } else {
      steps.push(
        sqlStep("leave the watermark out", dropColumnSql(source, wm)),
        sqlStep("create under a new name", createTableAsSql(tmp, `SELECT * FROM ${source}`), { rows: true }),
      );
    }
  } else if (contract) {
    const select = tempName(model.name, "select");
    steps.push(
      sqlStep("plan the SELECT", tempViewSql(select, model.sql)),
      sqlStep("check the contract", assertColumnsSql(select, contract, "the contract")),
      sqlStep("create under a new name", createContractTableSql(tmp, config.contract ?? {})),
      sqlStep("fill it", insertSelectSql(tmp, contract, select), { rows: true }),
      sqlStep("drop the plan", `DROP VIEW ${select}`),
      ...input.audits({ relation: tmp, kind: "full" }),
    );
  } else {
    steps.push(
      sqlStep("create under a new name", createTableAsSql(tmp, model.sql), { rows: true }),
      ...input.audits({ relation: tmp, kind: "full" }),
    );
  }
  // The fill's command tag is the row count: no second pass over the new table to count it.
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
