import { defineCommand } from "citty";
import { log } from "../../log/logger.ts";
import { planFromArgs, selectionArgs } from "../../transform/cli-options.ts";
import { compileProject } from "../../transform/compile-project.ts";
import { COMMAND_META } from "../command-meta.ts";
import { commonArgs, demoArgs } from "../common-args.ts";
import { openProject } from "../open-project.ts";

export default defineCommand({
  meta: COMMAND_META["model compile"],
  args: { ...commonArgs, ...demoArgs, ...selectionArgs },
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
