import { sqlStep } from "../build-step.ts";
import type { Materialization } from "./context.ts";
import { describeSteps } from "./describe.ts";
import { replaceSteps } from "./replace-relation.ts";
import { viewSql } from "./templates.ts";

/**
 * CREATE OR REPLACE VIEW keeps dependents and grants; when the columns changed incompatibly (or a
 * table stood there) the view is dropped and created, its dependents recreated. Its audits read the
 * new view inside the build's transaction: a view has no batch, so they read it whole.
 */
export const view: Materialization = {
  plan(input) {
    const { model, existing } = input;
    const create = [sqlStep("create view", viewSql(model.quoted, model.sql, false))];
    const audits = input.audits({ relation: model.quoted, kind: "full" });
    // Replacing a view takes an ACCESS EXCLUSIVE lock held to the COMMIT: readers of an unchanged
    // view would wait for the whole build for nothing.
    if (existing?.kind === "view" && input.unchanged) {
      return { mode: "full", reason: "unchanged since its last published build: kept", steps: audits };
    }
    if (existing?.kind === "view") {
      return {
        mode: "full",
        reason: "replace the view",
        steps: [
          {
            kind: "try",
            label: "replace view",
            sql: viewSql(model.quoted, model.sql, true),
            otherwise: replaceSteps(input, create),
          },
          ...audits,
          ...describeSteps(model, "VIEW"),
        ],
      };
    }
    return {
      mode: "full",
      reason: existing ? `a ${existing.kind} stands there: drop it, create the view` : "create the view",
      steps: [...replaceSteps(input, create), ...audits, ...describeSteps(model, "VIEW")],
    };
  },
};
