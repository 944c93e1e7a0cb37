import { defineCommand } from "citty";
import { formatStatus } from "../pipeline/format-status.ts";
import { pipelineStatus } from "../pipeline/pipeline-status.ts";
import { COMMAND_META } from "./command-meta.ts";
import { commonArgs, demoArgs } from "./common-args.ts";
import { withProject } from "./project-context.ts";

export default defineCommand({
  meta: COMMAND_META.status,
  args: {
    ...commonArgs,
    json: { type: "boolean", description: "Print JSON for machines" },
    limit: { type: "string", description: "How many runs (default 10)", valueHint: "n" },
    ...demoArgs,
  },
  async run({ args }) {
    const limit = Math.max(1, Number.parseInt(args.limit ?? "10", 10) || 10);
    // Reading takes no lock and runs no migration: it answers while a run holds the lock.
    await withProject(args, { lock: false, migrate: false }, async ({ db, config }) => {
      const status = await pipelineStatus(db, limit, {
        maxFetches: config.extract.plausibility.max_fetches,
      });
      if (args.json) {
        process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${formatStatus(status)}\n`);
    });
  },
});
