import { defineCommand } from "citty";
import { extract } from "../extract/extract.ts";
import { progressReporter } from "../extract/progress-reporter.ts";
import { startDemo } from "../pipeline/demo.ts";
import { COMMAND_META } from "./command-meta.ts";
import { commonArgs, demoArgs } from "./common-args.ts";
import { withProject } from "./project-context.ts";
import { parseWindow, windowArgs } from "./window-args.ts";

export default defineCommand({
  meta: COMMAND_META.extract,
  args: {
    ...commonArgs,
    ...demoArgs,
    ...windowArgs,
    force: { type: "boolean", description: "Fetch windows again even if already landed" },
  },
  async run({ args }) {
    const { start, end } = parseWindow(args);
    // The demo's extract fetches from the bundled simulator, started in this process.
    const demo = args.demo ? await startDemo() : undefined;
    try {
      await withProject(args, { configure: demo?.configure }, async ({ db, config }) => {
        const progress = progressReporter();
        try {
          await extract(
            { db, config },
            {
              start,
              end,
              force: args.force,
              acceptIncomplete: args["accept-incomplete"],
              onProgress: progress.onProgress,
            },
          );
        } finally {
          progress.stop();
        }
      });
    } finally {
      await demo?.close();
    }
  },
});
