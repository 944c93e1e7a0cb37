import format from "pg-format";
import { queryColumns, relationColumns } from "../relation-info.ts";
import type { MaterializeContext, Materialized } from "./context.ts";
import { replaceRelation } from "./replace-relation.ts";
import {
  createContractTableSql,
  createTableAsSql,
  indexSql,
  insertSelectSql,
  primaryKeySql,
  renameSql,
  saveWatermarkSql,
  selectColumnsSql,
  tempTableSql,
} from "./templates.ts";
import { watermarkFloor } from "./watermark-floor.ts";

const SOURCE = "pg_temp.elt__source";

function sameSet(a: readonly string[], b: readonly string[]): { missing: string[]; extra: string[] } {
  return { missing: b.filter((c) => !a.includes(c)), extra: a.filter((c) => !b.includes(c)) };
}

/**
 * A full build (table, and incremental on its first run or --full-refresh): the new table is built
 * under `<alias>__elt_tmp` while the old one keeps serving, then swapped in; keys and indexes are
 * created on the final name so their names stay stable across builds.
 */
export async function materializeTable(ctx: MaterializeContext): Promise<Materialized> {
  const { tx, model } = ctx;
  const { config } = model;
  const tmpName = `${config.alias}__elt_tmp`;
  const tmp = format("%I.%I", config.schema, tmpName);
  const wm = config.watermark;
  await tx.query(`DROP TABLE IF EXISTS ${tmp}`);

  // With a watermark the SELECT is materialised once: the table takes all but that column,
  // the state takes its maximum.
  let from = `(\n${model.sql}) AS elt__source`;
  let outputs: string[] | undefined;
  const floor = await watermarkFloor(tx, config);
  if (wm) {
    await tx.query(tempTableSql(SOURCE, model.sql));
    from = SOURCE;
    outputs = await relationColumns(tx, SOURCE);
    if (!outputs.includes(wm)) throw new Error(`the SELECT has no watermark column "${wm}"`);
    outputs = outputs.filter((c) => c !== wm);
  }
  if (config.contract) {
    const contract = Object.keys(config.contract);
    outputs ??= await queryColumns(tx, model.sql);
    const { missing, extra } = sameSet(outputs, contract);
    if (missing.length > 0 || extra.length > 0) {
      throw new Error(
        `the SELECT does not match the contract:${missing.length ? ` missing ${missing.join(", ")};` : ""}${extra.length ? ` not in the contract ${extra.join(", ")}` : ""}`,
      );
    }
    await tx.query(createContractTableSql(tmp, config.contract));
    await tx.query(insertSelectSql(tmp, contract, from));
  } else if (outputs) {
    await tx.query(createTableAsSql(tmp, selectColumnsSql(outputs, from)));
  } else {
    await tx.query(createTableAsSql(tmp, model.sql));
  }
  const { rows } = await tx.query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${tmp}`);

  await replaceRelation(ctx, async () => {
    await tx.query(renameSql(tmp, config.alias));
  });
  if (config.primary_key.length > 0) await tx.query(primaryKeySql(model.quoted, config.primary_key));
  // ON CONFLICT needs a unique index on the merge key.
  const key = config.unique_key;
  if (key.length > 0 && !sameKey(key, config.primary_key)) await tx.query(indexSql(model.quoted, key, true));
  for (const index of config.indexes) await tx.query(indexSql(model.quoted, index.columns, index.unique));
  if (wm) await tx.query(saveWatermarkSql(model.name, wm, SOURCE, true, floor));
  return { rows: Number(rows[0]?.n ?? 0), mode: "full" };
}

function sameKey(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c) => b.includes(c));
}
