import { defineCommand } from "citty";
import { isEltError } from "../errors.ts";
import { log } from "../log/logger.ts";
import { startDemo } from "../pipeline/demo.ts";
import { DEMO_PATHS } from "../pipeline/demo-config.ts";
import { recordRefusedRun } from "../pipeline/refused-run.ts";
import { reportEarlyFailure } from "../pipeline/report-early-failure.ts";
import { RUN_FAILED, runPipeline } from "../pipeline/run-pipeline.ts";
import { COMMAND_META } from "./command-meta.ts";
import { commonArgs } from "./common-args.ts";
import { openProjectForRun, withDatabase } from "./project-context.ts";
import { parseRunArgs, runArgs } from "./run-args.ts";

export default defineCommand({
  meta: COMMAND_META.run,
  args: {
    ...commonArgs,
    ...runArgs,
    demo: {
      type: "boolean",
      description:
        "Zero setup: embedded database, the bundled API simulator, exports written to target/demo/",
    },
  },
  async run({ args }) {
    const options = parseRunArgs(args);
    const demo = args.demo ? await startDemo() : undefined;
    try {
      const { project, logDirError } = openProjectForRun(args, demo?.configure);
      if (logDirError) {
        // Nothing runs without a log, but the ledger and the team still hear of the night.
        await recordRefusedRun(project, options, logDirError);
        throw logDirError;
      }
      try {
        await withDatabase(project, {}, (ctx) => runPipeline(ctx, options));
      } catch (error) {
        // runPipeline reports its own failures; anything before it (no database, no lock) too.
        const reported = isEltError(error) && error.code === RUN_FAILED;
        if (!reported && !options.skipExport) await reportEarlyFailure(project, error);
        throw error;
      }
      if (demo) {
        log.box(
          [
            "demo finished; look at:",
            `  log        ${project.path(project.config.logs.dir)}/`,
            `  sheet      ${project.path(DEMO_PATHS.sheet)}`,
            `  email      ${project.path(DEMO_PATHS.email)}`,
            `  database   ${project.path(DEMO_PATHS.database)} (elt status --demo)`,
          ].join("\n"),
        );
      }
    } finally {
      await demo?.close();
    }
  },
});
