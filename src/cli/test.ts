import { defineCommand } from "citty";
import { RunFailedError } from "../errors.ts";
import { log } from "../log/logger.ts";
import { planFromArgs, selectionArgs, stateFor } from "../transform/cli-options.ts";
import { runDataTests } from "../transform/run-data-tests.ts";
import { COMMAND_META } from "./command-meta.ts";
import { commonArgs, demoArgs } from "./common-args.ts";
import { withProject } from "./project-context.ts";

export default defineCommand({
  meta: COMMAND_META.test,
  args: { ...commonArgs, ...demoArgs, ...selectionArgs },
  async run({ args }) {
    await withProject(args, { lock: false }, async (ctx) => {
      const plan = planFromArgs(ctx, args, await stateFor(ctx.db, args));
      if (plan.tests.length === 0) log.warn("no data tests selected");
      const results = await runDataTests(ctx.db, plan);
      const failing = results.filter((r) => r.status !== "pass");
      const errors = failing.filter((r) => r.severity === "error");
      const summary = `tests: ${results.length - failing.length} passed, ${errors.length} failed, ${failing.length - errors.length} warned`;
      if (errors.length > 0) throw new RunFailedError(summary, { code: "TEST_FAILED" });
      log.info(summary);
    });
  },
});
