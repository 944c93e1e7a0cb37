import { hasIndexOn, hasUniqueIndexOn, relationColumns } from "../relation-info.ts";
import type { MaterializeContext, Materialized } from "./context.ts";
import { materializeTable } from "./table.ts";
import { indexSql, mergeSql, saveWatermarkSql, tempTableSql } from "./templates.ts";
import { watermarkFloor } from "./watermark-floor.ts";

const BATCH = "pg_temp.elt__batch";

/**
 * First run, --full-refresh, or something other than a table in the way: a full build. Otherwise
 * only the new rows (the model's `{{#if is_incremental}}` filter) are computed into a temporary
 * table and merged on unique_key, so the cost follows the new data, not the history.
 */
export async function materializeIncremental(
  ctx: MaterializeContext,
  fullRefresh: boolean,
): Promise<Materialized> {
  const { tx, model, existing } = ctx;
  if (fullRefresh || existing !== "table") return materializeTable(ctx);
  const { config } = model;
  // A table built before unique_key was set (or as materialized: table) cannot take ON CONFLICT.
  if (config.unique_key.length > 0 && !(await hasUniqueIndexOn(tx, model.quoted, config.unique_key))) {
    return materializeTable(ctx);
  }
  const wm = config.watermark;
  const floor = await watermarkFloor(tx, config);
  await tx.query(tempTableSql(BATCH, model.incrementalSql));
  let columns = await relationColumns(tx, BATCH);
  if (wm) {
    if (!columns.includes(wm)) throw new Error(`the SELECT has no watermark column "${wm}"`);
    columns = columns.filter((c) => c !== wm);
  }
  const target = await relationColumns(tx, model.quoted);
  const added = columns.filter((c) => !target.includes(c));
  const removed = target.filter((c) => !columns.includes(c));
  if (added.length > 0 || removed.length > 0) {
    throw new Error(
      `the columns changed (${[
        added.length ? `new: ${added.join(", ")}` : "",
        removed.length ? `gone: ${removed.join(", ")}` : "",
      ]
        .filter(Boolean)
        .join("; ")}); rebuild it with --full-refresh`,
    );
  }
  const { rowCount } = await tx.query(mergeSql(model.quoted, columns, config.unique_key, BATCH));
  // Declared later (or lost with a manual rebuild): an index the config names is made sure of here.
  for (const index of config.indexes) {
    if (!(await hasIndexOn(tx, model.quoted, index.columns, index.unique))) {
      await tx.query(indexSql(model.quoted, index.columns, index.unique));
    }
  }
  if (wm) await tx.query(saveWatermarkSql(model.name, wm, BATCH, false, floor));
  return { rows: rowCount, mode: "incremental" };
}
