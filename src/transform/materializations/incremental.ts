import { hasIndex } from "../build-state.ts";
import { type BuildStep, sqlStep } from "../build-step.ts";
import type { Materialization } from "./context.ts";
import { describeSteps } from "./describe.ts";
import { floorStep } from "./floor-step.ts";
import { fullBuild } from "./table.ts";
import {
  assertColumnsSql,
  indexSql,
  mergeSql,
  saveWatermarkSql,
  tempName,
  tempTableSql,
} from "./templates.ts";

const list = (cols: readonly string[]) => `(${cols.join(", ")})`;

/**
 * First run, --full-refresh, or something other than a table in the way: a full build. Otherwise
 * only the new rows (the model's `{{#if is_incremental}}` filter) are written to a temporary table,
 * audited there, and merged on unique_key, so the cost follows the new data, not the history.
 */
export const incremental: Materialization = {
  plan(input) {
    const { model, existing } = input;
    const { config } = model;
    if (input.fullRefresh) return fullBuild(input, "full refresh");
    if (!existing) return fullBuild(input, "first build");
    if (existing.kind !== "table") return fullBuild(input, `a ${existing.kind} stands there: build a table`);
    // A table built before unique_key was set (or as materialized: table) cannot take ON CONFLICT.
    if (config.unique_key.length > 0 && !hasIndex(existing, config.unique_key, true))
      return fullBuild(input, `no unique index on ${list(config.unique_key)} for the merge`);

    const wm = config.watermark;
    const batch = tempName(model.name, "batch");
    const columns = existing.columns;
    const { steps: readFloor, floor } = floorStep(input);
    const steps: BuildStep[] = [
      ...readFloor,
      sqlStep("write the batch", tempTableSql(batch, model.incrementalSql)),
      sqlStep(
        "check its columns",
        assertColumnsSql(
          batch,
          wm ? [...columns, wm] : columns,
          `the columns of ${model.quoted} (rebuild it with --full-refresh)`,
        ),
      ),
      ...input.audits({ relation: batch, kind: "batch", ...(wm ? { watermark: wm } : {}) }),
      sqlStep("merge", mergeSql(model.quoted, columns, config.unique_key, batch), { rows: true }),
    ];
    // Declared later (or lost with a manual rebuild): an index the config names is made sure of here.
    for (const index of config.indexes) {
      if (!hasIndex(existing, index.columns, index.unique))
        steps.push(sqlStep("index", indexSql(model.quoted, index.columns, index.unique)));
    }
    if (wm) steps.push(sqlStep("save the watermark", saveWatermarkSql(model.name, wm, batch, false, floor)));
    steps.push(...input.audits({ relation: model.quoted, kind: "full", after: "merge" }));
    steps.push(...describeSteps(model, "TABLE"));
    const key = config.unique_key.length > 0 ? `on ${list(config.unique_key)}` : "(append: no unique_key)";
    return { mode: "incremental", reason: `merge the new rows ${key}`, steps };
  },
};
