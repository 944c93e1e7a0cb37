import { defineCommand } from "citty";
import { log } from "../log/logger.ts";
import { startDemo } from "../pipeline/demo.ts";
import { DEMO_PATHS } from "../pipeline/demo-config.ts";
import { runPipeline } from "../pipeline/run-pipeline.ts";
import { commonArgs } from "./common-args.ts";
import { withProject } from "./project-context.ts";
import { parseRunArgs, runArgs } from "./run-args.ts";

export default defineCommand({
  meta: { name: "run", description: "Run the whole pipeline: extract, models, tests, exports" },
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
      await withProject(args, { configure: demo?.configure }, async (ctx) => {
        await runPipeline(ctx, options);
        if (demo) {
          log.box(
            [
              "demo finished; look at:",
              `  log        ${ctx.path(ctx.config.logs.dir)}/`,
              `  sheet      ${ctx.path(DEMO_PATHS.sheet)}`,
              `  email      ${ctx.path(DEMO_PATHS.email)}`,
              `  database   ${ctx.path(DEMO_PATHS.database)} (npx elt status --demo)`,
            ].join("\n"),
          );
        }
      });
    } finally {
      await demo?.close();
    }
  },
});
