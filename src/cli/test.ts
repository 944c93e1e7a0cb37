import { defineCommand } from "citty";
import { RunFailedError } from "../errors.ts";
import { log } from "../log/logger.ts";
import { planFromArgs, selectionArgs, stateFor } from "../transform/cli-options.ts";
import { runDataTests } from "../transform/run-data-tests.ts";
import { runUnitTests } from "../transform/unit-tests/run-unit-tests.ts";
import { COMMAND_META } from "./command-meta.ts";
import { commonArgs, demoArgs } from "./common-args.ts";
import { withProject } from "./project-context.ts";

export default defineCommand({
  meta: COMMAND_META.test,
  args: {
    ...commonArgs,
    ...demoArgs,
    ...selectionArgs,
    unit: {
      type: "boolean",
      description:
        "Run the models' unit tests (unit_tests: given rows in, expected rows out) instead of the data tests; needs no landed data, leaves nothing behind",
    },
  },
  async run({ args }) {
    await withProject(args, { lock: false }, async (ctx) => {
      const plan = planFromArgs(ctx, args, await stateFor(ctx.db, args));
      if (args.unit) {
        if (plan.unitTests.length === 0) log.warn("no unit tests selected");
        const results = await runUnitTests(ctx.db, plan.unitTests);
        const failed = results.filter((r) => r.status !== "pass").length;
        const summary = `unit tests: ${results.length - failed} passed, ${failed} failed`;
        if (failed > 0) throw new RunFailedError(summary, { code: "TEST_FAILED" });
        log.info(summary);
        return;
      }
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
