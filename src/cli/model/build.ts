import { defineCommand } from "citty";
import { RunFailedError } from "../../errors.ts";
import { log } from "../../log/logger.ts";
import { buildModels, planBuildNow } from "../../transform/build-models.ts";
import { planFromArgs, selectionArgs, stateFor } from "../../transform/cli-options.ts";
import { formatBuildPlan } from "../../transform/format-build-plan.ts";
import { COMMAND_META } from "../command-meta.ts";
import { commonArgs, demoArgs } from "../common-args.ts";
import { withProject } from "../project-context.ts";

export default defineCommand({
  meta: COMMAND_META["model build"],
  args: {
    ...commonArgs,
    ...demoArgs,
    ...selectionArgs,
    "full-refresh": { type: "boolean", description: "Rebuild incremental models from scratch" },
    "dry-run": { type: "boolean", description: "Print the plan (steps and SQL) and change nothing" },
  },
  async run({ args }) {
    const dryRun = args["dry-run"] ?? false;
    // A dry run changes nothing: no lock, no migrations.
    await withProject(args, { lock: !dryRun, migrate: !dryRun }, async (ctx) => {
      const plan = planFromArgs(ctx, args, await stateFor(ctx.db, args));
      if (plan.models.length === 0) log.warn("no models selected");
      const options = { fullRefresh: args["full-refresh"] ?? false };
      if (dryRun) {
        process.stdout.write(`${formatBuildPlan(await planBuildNow(ctx.db, plan, options))}\n`);
        return;
      }
      const { models, audits, published } = await buildModels(ctx.db, plan, options);
      const count = (s: string) => models.filter((r) => r.status === s).length;
      const failedAudits = audits.filter((a) => a.status !== "pass" && a.severity === "error").length;
      const summary = `models: ${count("success")} built, ${count("failed")} failed, ${count("skipped")} skipped; audits: ${audits.length - failedAudits} of ${audits.length} passed; ${published ? "published" : "nothing published"}`;
      if (!published)
        throw new RunFailedError(summary, { code: count("failed") > 0 ? "MODEL_FAILED" : "AUDIT_FAILED" });
      log.info(summary);
    });
  },
});
