import { defineCommand } from "citty";
import { log } from "../../log/logger.ts";
import { planFromArgs, selectionArgs } from "../../transform/cli-options.ts";
import { compileProject } from "../../transform/compile-project.ts";
import { commonArgs } from "../common-args.ts";
import { openProject } from "../project-context.ts";

export default defineCommand({
  meta: { name: "compile", description: "Render the selected models to target/compiled (no database)" },
  args: { ...commonArgs, ...selectionArgs },
  run({ args }) {
    const ctx = openProject(args);
    const plan = planFromArgs(ctx, args);
    const target = ctx.path(ctx.config.models.target_path);
    const files = compileProject(plan, target);
    log.info(
      `compiled ${plan.models.length} models and ${plan.tests.length} tests into ${target}/compiled (${files.length} files)`,
    );
  },
});
