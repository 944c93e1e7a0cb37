import type { MaterializeContext, Materialized } from "./context.ts";
import { replaceRelation } from "./replace-relation.ts";
import { viewSql } from "./templates.ts";

/**
 * CREATE OR REPLACE VIEW keeps dependents and grants; when the columns changed incompatibly (or a
 * table stood there) the view is dropped and created, its dependents recreated, in the same transaction.
 */
export async function materializeView(ctx: MaterializeContext): Promise<Materialized> {
  const { tx, model, existing } = ctx;
  if (existing === "view") {
    await tx.query("SAVEPOINT elt_view");
    try {
      await tx.query(viewSql(model.quoted, model.sql, true));
      await tx.query("RELEASE SAVEPOINT elt_view");
      return { rows: null, mode: "full" };
    } catch {
      await tx.query("ROLLBACK TO SAVEPOINT elt_view");
    }
  }
  await replaceRelation(ctx, () => tx.query(viewSql(model.quoted, model.sql, false)).then(() => {}));
  return { rows: null, mode: "full" };
}
