import { defineCommand } from "citty";
import { RunFailedError } from "../../errors.ts";
import { log } from "../../log/logger.ts";
import { buildModels } from "../../transform/build-models.ts";
import { planFromArgs, selectionArgs } from "../../transform/cli-options.ts";
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
  },
  async run({ args }) {
    await withProject(args, {}, async (ctx) => {
      const plan = planFromArgs(ctx, args);
      if (plan.models.length === 0) log.warn("no models selected");
      const results = await buildModels(ctx.db, plan, { fullRefresh: args["full-refresh"] ?? false });
      const count = (s: string) => results.filter((r) => r.status === s).length;
      const summary = `models: ${count("success")} built, ${count("failed")} failed, ${count("skipped")} skipped`;
      if (count("failed") > 0) throw new RunFailedError(summary, { code: "MODEL_FAILED" });
      log.info(summary);
    });
  },
});
