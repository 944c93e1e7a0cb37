import format from "pg-format";
import { errorMessage } from "../../errors.ts";
import { dependentViews } from "../relation-info.ts";
import type { MaterializeContext } from "./context.ts";
import { dropSql, viewSql } from "./templates.ts";

/**
 * Drops what is at the model's relation and creates the new one, keeping the views that depend on
 * it: their definitions are saved, dropped with the old relation (CASCADE) and recreated on the new
 * one — from the model's current SQL when the dependent is itself a view model of the project.
 * All inside the caller's transaction, so a dependent that no longer fits fails the model and
 * leaves everything as it was.
 */
export async function replaceRelation(ctx: MaterializeContext, create: () => Promise<void>): Promise<void> {
  const { tx, model, existing } = ctx;
  const dependents = existing ? await dependentViews(tx, model.quoted) : [];
  if (existing) await tx.query(dropSql(model.quoted, existing));
  await create();
  for (const d of dependents) {
    const fresh = ctx.viewModels.get(d.quoted);
    try {
      await tx.query(
        d.materialized && !fresh
          ? `CREATE MATERIALIZED VIEW ${d.quoted} AS ${d.definition}`
          : viewSql(d.quoted, fresh ?? d.definition, false),
      );
      if (d.comment !== null && !fresh)
        await tx.query(`COMMENT ON VIEW ${d.quoted} IS ${format("%L", d.comment)}`);
    } catch (error) {
      throw new Error(
        `dependent view ${d.quoted} cannot be recreated on the new ${model.quoted}: ${errorMessage(error)}`,
      );
    }
  }
}
